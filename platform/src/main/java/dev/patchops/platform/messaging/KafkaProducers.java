package dev.patchops.platform.messaging;

import dev.patchops.contract.schema.KafkaAccess;
import dev.patchops.platform.config.PlatformConfig;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** The one producer configuration for everything PatchOps writes: nothing lost, nothing doubled. */
final class KafkaProducers {
  private KafkaProducers() {}

  static Producer<String, byte[]> reliable(PlatformConfig config, String role) {
    return new KafkaProducer<>(
        properties(config, role), new StringSerializer(), new ByteArraySerializer());
  }

  /**
   * A transactional producer: a batch becomes visible to {@code read_committed} consumers all at
   * once or not at all, and a second relay with the same id fences the first.
   */
  static Producer<String, byte[]> transactional(PlatformConfig config, String role) {
    Map<String, Object> props = properties(config, role);
    // The id the service's KafkaUser may use (KafkaAccess): another service's relay cannot fence
    // ours.
    props.put(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG,
        "outbox".equals(role)
            ? KafkaAccess.outboxTransactionalId(config.serviceName())
            : config.serviceName() + "-" + role);
    props.put(
        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
        (int) Math.max(config.outbox().deliveryTimeout().toMillis(), 60_000));
    Producer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    try {
      producer.initTransactions();
    } catch (RuntimeException e) {
      producer.close(java.time.Duration.ZERO);
      throw e;
    }
    return producer;
  }

  private static Map<String, Object> properties(PlatformConfig config, String role) {
    Map<String, Object> props = new HashMap<>(KafkaSecurity.clientProperties(config.kafka()));
    props.put(ProducerConfig.CLIENT_ID_CONFIG, config.serviceName() + "-" + role);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    // Retries inside the producer keep their sequence numbers, so the broker drops duplicates and
    // order per partition holds (up to 5 requests in flight with idempotence).
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
    props.put(ProducerConfig.RETRIES_CONFIG, Integer.MAX_VALUE);
    int deliveryTimeout = (int) config.outbox().deliveryTimeout().toMillis();
    int requestTimeout = Math.min(30_000, deliveryTimeout);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, deliveryTimeout);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeout);
    props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
    // send() must not sit for minutes on missing metadata; the relay retries the batch instead.
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Math.min(10_000, deliveryTimeout));
    props.put(ProducerConfig.RECONNECT_BACKOFF_MS_CONFIG, 50);
    props.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    props.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
    props.put(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1000);
    return props;
  }
}
