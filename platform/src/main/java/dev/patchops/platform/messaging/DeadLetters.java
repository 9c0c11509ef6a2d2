package dev.patchops.platform.messaging;

import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.Topics;
import dev.patchops.platform.config.PlatformConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Moves a record to {@link Topics#DEAD_LETTER}: same key, value and headers, plus the reason. The
 * send is synchronous so that a consumer only moves past a record once it is safely parked.
 */
@ApplicationScoped
public class DeadLetters {
  private static final int MAX_REASON = 2_000;

  private final PlatformConfig config;
  private final MeterRegistry registry;
  private Producer<String, byte[]> producer;

  @Inject
  public DeadLetters(PlatformConfig config, MeterRegistry registry) {
    this.config = config;
    this.registry = registry;
  }

  public void park(
      ConsumerRecord<String, byte[]> record,
      String consumer,
      String reason,
      Throwable error,
      int attempts) {
    ProducerRecord<String, byte[]> dead =
        new ProducerRecord<>(Topics.DEAD_LETTER, record.key(), record.value());
    for (Header header : record.headers()) {
      dead.headers().add(header);
    }
    add(dead, DeadLetterHeaders.REASON, truncate(reason));
    if (error != null) {
      add(dead, DeadLetterHeaders.ERROR_CLASS, error.getClass().getSimpleName());
    }
    add(dead, DeadLetterHeaders.ORIGINAL_TOPIC, record.topic());
    add(dead, DeadLetterHeaders.ORIGINAL_PARTITION, Integer.toString(record.partition()));
    add(dead, DeadLetterHeaders.ORIGINAL_OFFSET, Long.toString(record.offset()));
    add(dead, DeadLetterHeaders.CONSUMER, consumer);
    add(dead, DeadLetterHeaders.ATTEMPTS, Integer.toString(attempts));
    try {
      producer()
          .send(dead)
          .get(config.outbox().deliveryTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while dead-lettering", e);
    } catch (ExecutionException | TimeoutException e) {
      // Not acknowledging the original is the only safe answer: it will be consumed again.
      throw new IllegalStateException("cannot write to the dead-letter topic", e);
    }
    registry
        .counter("patchops.dead.letters", "consumer", consumer, "topic", record.topic())
        .increment();
  }

  private synchronized Producer<String, byte[]> producer() {
    if (producer == null) {
      producer = KafkaProducers.reliable(config, "dead-letter");
    }
    return producer;
  }

  @PreDestroy
  synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
  }

  private static void add(ProducerRecord<String, byte[]> record, String name, String value) {
    record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
  }

  private static String truncate(String reason) {
    String value = reason == null ? "unknown" : reason;
    return value.length() <= MAX_REASON ? value : value.substring(0, MAX_REASON) + "…";
  }
}
