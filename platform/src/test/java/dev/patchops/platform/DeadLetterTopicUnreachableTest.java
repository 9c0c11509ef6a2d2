package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * When even the dead-letter topic takes no writes, a poison record must not be acknowledged: {@code
 * process} fails, so the connector neither commits its offset nor moves on, and the record is
 * consumed again. The broker is made to refuse every write to the topic for real: its {@code
 * max.message.bytes} is set below the size of any record batch.
 */
@QuarkusTest
@PatchOpsTest
class DeadLetterTopicUnreachableTest {
  private static final String CONSUMER = "platform-test-dlq-outage";

  @Inject InboundEvents inbound;
  @Inject MeterRegistry registry;

  @Test
  void aPoisonRecordStaysUnacknowledgedWhileTheDeadLetterTopicRefusesWritesAndIsParkedOnceAfter()
      throws Exception {
    String key = "TCK-DLQ-DOWN-" + UUID.randomUUID();
    String eventId = UUID.randomUUID().toString();
    ConsumerRecord<String, byte[]> poison =
        new ConsumerRecord<>(
            Topics.TICKETS,
            0,
            4242L,
            key,
            ("{\"ticketId\": \"" + key + "\", ").getBytes(StandardCharsets.UTF_8));
    TestEvents.headers(EventType.TICKET_OPENED, eventId)
        .forEach((k, v) -> poison.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
    AtomicInteger handled = new AtomicInteger();
    double parkedBefore = parked();

    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      Map<TopicPartition, Long> start = endOffsets();
      setMaxMessageBytes(admin, "10");
      try {
        assertThatThrownBy(() -> inbound.process(CONSUMER, poison, e -> handled.incrementAndGet()))
            .hasMessageContaining("dead-letter topic");
        assertThat(parked()).as("nothing counted as parked").isEqualTo(parkedBefore);
      } finally {
        setMaxMessageBytes(admin, null);
      }

      // Consumed again once the topic takes writes: now it is parked, exactly once.
      assertThat(inbound.process(CONSUMER, poison, e -> handled.incrementAndGet()))
          .isEqualTo(InboundEvents.Outcome.DEAD_LETTERED);
      assertThat(handled).as("a poison record never reaches the handler").hasValue(0);
      assertThat(parked()).isEqualTo(parkedBefore + 1);
      List<ConsumerRecord<String, byte[]>> copies = deadLettersSince(start, key);
      assertThat(copies).as("copies on the dead-letter topic").hasSize(1);
      assertThat(KafkaProbe.header(copies.get(0), CloudEventHeaders.ID)).isEqualTo(eventId);
      assertThat(KafkaProbe.header(copies.get(0), DeadLetterHeaders.ORIGINAL_OFFSET))
          .isEqualTo("4242");
      assertThat(KafkaProbe.header(copies.get(0), DeadLetterHeaders.CONSUMER)).isEqualTo(CONSUMER);
    }
  }

  /** Sets (or, with null, removes) the topic's override and waits until the broker applies it. */
  private static void setMaxMessageBytes(Admin admin, String value) throws Exception {
    ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.DEAD_LETTER);
    ConfigEntry entry = new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, value);
    AlterConfigOp op =
        new AlterConfigOp(
            entry, value == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
    admin.incrementalAlterConfigs(Map.of(topic, List.of(op))).all().get();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                value == null
                    ? !"10".equals(currentValue(admin, topic))
                    : value.equals(currentValue(admin, topic)));
  }

  private static String currentValue(Admin admin, ConfigResource topic) throws Exception {
    return admin
        .describeConfigs(List.of(topic))
        .all()
        .get()
        .get(topic)
        .get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)
        .value();
  }

  private double parked() {
    Counter counter =
        registry
            .find("patchops.dead.letters")
            .tags("consumer", CONSUMER, "topic", Topics.TICKETS)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static KafkaConsumer<String, byte[]> reader() {
    return new KafkaConsumer<>(
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            TestInfra.bootstrapServers(),
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private static Map<TopicPartition, Long> endOffsets() {
    try (KafkaConsumer<String, byte[]> consumer = reader()) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.DEAD_LETTER, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      return consumer.endOffsets(partitions, Duration.ofSeconds(30));
    }
  }

  /**
   * Every record of the key appended since {@code start}, read up to the current end: no window.
   */
  private static List<ConsumerRecord<String, byte[]>> deadLettersSince(
      Map<TopicPartition, Long> start, String key) {
    Map<TopicPartition, Long> end = endOffsets();
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer = reader()) {
      consumer.assign(start.keySet());
      start.forEach(consumer::seek);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (start.keySet().stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read up to the end in time").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
          if (key.equals(record.key())) {
            found.add(record);
          }
        }
      }
    }
    return found;
  }
}
