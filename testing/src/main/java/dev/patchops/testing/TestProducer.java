package dev.patchops.testing;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Writes raw records, as another service or a misbehaving client would, as the broker's super user
 * (see {@link TestInfra#kafkaConfig()}): the tests play every producer, including forged ones.
 */
public final class TestProducer {
  private TestProducer() {}

  /** An idempotent {@code acks=all} producer that sends at once ({@code linger.ms=0}). */
  public static KafkaProducer<String, byte[]> create() {
    return new KafkaProducer<>(
        TestInfra.kafkaConfig(
            Map.of(
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                0)),
        new StringSerializer(),
        new ByteArraySerializer());
  }

  /** Sends and returns where the record landed, for {@link Delivered#consumed}. */
  public static RecordMetadata send(
      String topic, String key, byte[] value, Map<String, String> headers) {
    try (KafkaProducer<String, byte[]> producer = create()) {
      ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, key, value);
      headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
      return producer.send(record).get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot send test record to " + topic, e);
    }
  }

  public static RecordMetadata send(
      String topic, String key, String value, Map<String, String> headers) {
    return send(topic, key, value.getBytes(StandardCharsets.UTF_8), headers);
  }
}
