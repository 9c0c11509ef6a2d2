package dev.patchops.platform.messaging;

import dev.patchops.contract.schema.KafkaAccess;
import dev.patchops.platform.config.PlatformConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * The SASL settings every Kafka client of a service uses, so that the broker knows which service it
 * is and applies that service's ACLs. The SmallRye connector gets the same from {@code
 * META-INF/microprofile-config.properties}.
 */
public final class KafkaSecurity {
  private KafkaSecurity() {}

  /** Bootstrap servers and SCRAM login for a plain Kafka client of this service. */
  public static Map<String, Object> clientProperties(PlatformConfig.Kafka kafka) {
    return clientProperties(
        kafka.bootstrapServers(), kafka.securityProtocol(), kafka.user(), kafka.password());
  }

  public static Map<String, Object> clientProperties(
      String bootstrapServers, String securityProtocol, String user, String password) {
    Map<String, Object> props = new HashMap<>();
    props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, securityProtocol);
    props.put(SaslConfigs.SASL_MECHANISM, KafkaAccess.SASL_MECHANISM);
    props.put(
        SaslConfigs.SASL_JAAS_CONFIG,
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + user
            + "\" password=\""
            + password
            + "\";");
    return props;
  }
}
