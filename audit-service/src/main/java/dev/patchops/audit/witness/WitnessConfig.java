package dev.patchops.audit.witness;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.List;
import java.util.Optional;

/**
 * The audit witness ({@code audit.witness.*}): off in the audit-service itself, on in its own
 * deployment (profile {@code witness}), which holds none of the service's credentials.
 */
@ConfigMapping(prefix = "audit.witness")
public interface WitnessConfig {
  @WithDefault("false")
  boolean enabled();

  /** Base URL of the audit-service's REST API, e.g. {@code http://audit-service.patchops}. */
  Optional<String> serviceUrl();

  /** Bearer token of an auditor identity, to read checkpoints and ask for verification. */
  Optional<String> token();

  /**
   * How often the witness holds the service's answers to what it witnessed; {@code off} leaves it
   * to {@link AuditWitness#audit()}. Read by the scheduler.
   */
  @WithDefault("5m")
  String interval();

  /**
   * The witness's own copy of the published key set, {@code kid=<X.509 PEM or base64 DER>} each.
   * Never taken from the service: a key the service made up is not trusted.
   */
  Optional<List<String>> publishedKeys();

  /**
   * The witness's own Kafka user (KafkaUser {@code audit-witness}) when it runs beside the service
   * in one JVM, as in the tests. In its own Deployment {@code patchops.kafka.user} is already that
   * user, and these stay unset.
   */
  Optional<String> kafkaUser();

  Optional<String> kafkaPassword();
}
