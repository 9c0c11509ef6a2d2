package dev.patchops.platform.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Settings every service shares, under {@code patchops.*}. */
@ConfigMapping(prefix = "patchops")
public interface PlatformConfig {

  /** The service's name; its events carry the CloudEvents source {@code /patchops/<name>}. */
  String serviceName();

  Kafka kafka();

  Outbox outbox();

  Inbox inbox();

  Security security();

  interface Security {
    /**
     * How the identity provider spells a PatchOps role as a JWT group: with the default, the role
     * {@code engineer} is the group {@code patchops-engineer}. Groups without it are ignored, so an
     * {@code admin} group of another application on the same provider is not a PatchOps admin.
     */
    @WithDefault("patchops-")
    String groupPrefix();
  }

  interface Kafka {
    @WithDefault("${kafka.bootstrap.servers}")
    String bootstrapServers();

    /**
     * The SCRAM-SHA-512 user this service authenticates as: its Strimzi {@code KafkaUser}, whose
     * ACLs {@code dev.patchops.contract.schema.KafkaAccess} derives. In production {@code
     * PATCHOPS_KAFKA_USER}; the test harness and the local stack set it.
     */
    String user();

    /** The user's password ({@code PATCHOPS_KAFKA_PASSWORD}, from the KafkaUser's Secret). */
    String password();

    /** {@code SASL_SSL} where the cluster's listener has TLS. */
    @WithDefault("SASL_PLAINTEXT")
    String securityProtocol();
  }

  interface Outbox {
    /** Off only in tests of code that must not publish. */
    @WithDefault("true")
    boolean relayEnabled();

    @WithDefault("500")
    int batchSize();

    /**
     * The safety net behind LISTEN/NOTIFY: a relay that missed a notification (reconnect, leader
     * change) still finds pending events within this interval.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * After a batch that did not fill up, how long the relay waits, once woken, before it reads the
     * next one: events committed meanwhile share its Kafka transaction. Each transaction costs the
     * broker and the relay a fixed price, so under a steady trickle this trades a few milliseconds
     * of delivery latency for far fewer transactions. After an idle spell the first event is sent
     * at once. 0 turns it off.
     */
    @WithDefault("0ms")
    Duration linger();

    @WithDefault("100ms")
    Duration backoffInitial();

    @WithDefault("10s")
    Duration backoffMax();

    /**
     * How long the producer itself retries a record before the relay gives up on the batch. Long
     * enough to ride out a broker restart without resending, which keeps the log free of
     * duplicates.
     */
    @WithDefault("120s")
    Duration deliveryTimeout();

    /** Sent events are kept this long for diagnosis, then deleted. */
    @WithDefault("P7D")
    Duration retention();
  }

  interface Inbox {
    /** Attempts before a message that fails processing goes to the dead-letter topic. */
    @WithDefault("3")
    int maxAttempts();

    @WithDefault("200ms")
    Duration retryBackoff();

    /**
     * CloudEvents sources outside PatchOps whose intake events (today {@code ticket.opened}) this
     * service accepts. Every other record must come from its type's producer; see {@code
     * dev.patchops.contract.Provenance}. Empty by default: no outside system is trusted.
     */
    Optional<List<String>> intakeSources();
  }
}
