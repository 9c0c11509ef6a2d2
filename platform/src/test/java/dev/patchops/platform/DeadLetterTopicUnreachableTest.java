package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.platform.testapp.DeadLetterOutageConsumer;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.TestProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * When even the dead-letter topic takes no writes, a poison record must not be acknowledged: the
 * channel fails with its offset uncommitted, and the group reads the record again once it is back.
 * The broker is made to refuse every write to the topic for real: its {@code max.message.bytes} is
 * set below the size of any record batch. The consumer ({@link DeadLetterOutageConsumer}) has the
 * platform's connector defaults and a group of its own, so only its channel fails.
 */
@QuarkusTest
@PatchOpsTest
class DeadLetterTopicUnreachableTest {
  private static final String GROUP = DeadLetterOutageConsumer.GROUP;

  @Inject DeadLetterOutageConsumer consumer;
  @Inject InboundEvents inbound;
  @Inject MeterRegistry registry;

  @Test
  void aPoisonRecordStaysUncommittedWhileTheDeadLetterTopicRefusesWritesAndIsParkedOnceAfter()
      throws Exception {
    String key = "TCK-DLQ-DOWN-" + UUID.randomUUID();
    String goodId = UUID.randomUUID().toString();
    String poisonId = UUID.randomUUID().toString();

    try (Admin admin = Admin.create(TestInfra.kafkaConfig())) {
      // A good record first: the channel acknowledges it and its offset is committed, so the
      // group demonstrably commits what it acknowledges.
      TestProducer.send(
          Topics.ALERTS,
          key,
          TestEvents.ticketOpenedJson(key, "good"),
          TestEvents.headers(EventType.TICKET_OPENED, goodId));
      ConsumerRecord<String, byte[]> good =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> withId(consumer.processed(), goodId), r -> r != null);
      TopicPartition partition = new TopicPartition(good.topic(), good.partition());
      await("the good record's offset committed")
          .atMost(Duration.ofSeconds(30))
          .until(() -> committed(admin, partition) == good.offset() + 1);

      Map<TopicPartition, Long> deadLettersBefore = endOffsets();
      double parkedBefore = parked();
      setMaxMessageBytes(admin, "10");
      try {
        TestProducer.send(
            Topics.ALERTS,
            key,
            "{\"ticketId\": \"" + key + "\", ",
            TestEvents.headers(EventType.TICKET_OPENED, poisonId));
        ConsumerRecord<String, byte[]> poison =
            await()
                .atMost(Duration.ofSeconds(30))
                .until(() -> withId(consumer.failed(), poisonId), r -> r != null);
        assertThat(poison.offset()).isEqualTo(good.offset() + 1);
        // The channel failed and its consumer left the group: nothing can commit any more.
        await("the failed channel's consumer gone")
            .atMost(Duration.ofSeconds(60))
            .until(() -> members(admin) == 0);
        assertThat(committed(admin, partition))
            .as("the committed offset still points at the poison record")
            .isEqualTo(poison.offset());
        assertThat(withId(consumer.processed(), poisonId)).isNull();
        assertThat(parked()).as("nothing counted as parked").isEqualTo(parkedBefore);
      } finally {
        setMaxMessageBytes(admin, null);
      }

      // What the group's next member reads: the same record, which can now be parked, once.
      ConsumerRecord<String, byte[]> again = readAt(partition, committed(admin, partition));
      assertThat(KafkaProbe.header(again, CloudEventHeaders.ID)).isEqualTo(poisonId);
      assertThat(inbound.process(GROUP, again, e -> {}))
          .isEqualTo(InboundEvents.Outcome.DEAD_LETTERED);
      assertThat(parked()).isEqualTo(parkedBefore + 1);
      List<ConsumerRecord<String, byte[]>> copies = deadLettersSince(deadLettersBefore, key);
      assertThat(copies).as("copies on the dead-letter topic").hasSize(1);
      assertThat(KafkaProbe.header(copies.get(0), CloudEventHeaders.ID)).isEqualTo(poisonId);
      assertThat(KafkaProbe.header(copies.get(0), DeadLetterHeaders.ORIGINAL_OFFSET))
          .isEqualTo(Long.toString(again.offset()));
      assertThat(KafkaProbe.header(copies.get(0), DeadLetterHeaders.CONSUMER)).isEqualTo(GROUP);
    }
  }

  private static ConsumerRecord<String, byte[]> withId(
      List<ConsumerRecord<String, byte[]>> records, String id) {
    return records.stream()
        .filter(r -> id.equals(KafkaProbe.header(r, CloudEventHeaders.ID)))
        .findFirst()
        .orElse(null);
  }

  private static long committed(Admin admin, TopicPartition partition) throws Exception {
    OffsetAndMetadata offset =
        admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().get(partition);
    return offset == null ? -1 : offset.offset();
  }

  private static int members(Admin admin) throws Exception {
    return admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).members().size();
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
            .tags("consumer", GROUP, "topic", Topics.ALERTS)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static KafkaConsumer<String, byte[]> reader() {
    return new KafkaConsumer<>(
        TestInfra.kafkaConfig(
            Map.of(
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed")),
        new StringDeserializer(),
        new ByteArrayDeserializer());
  }

  private static ConsumerRecord<String, byte[]> readAt(TopicPartition partition, long offset) {
    try (KafkaConsumer<String, byte[]> reader = reader()) {
      reader.assign(List.of(partition));
      reader.seek(partition, offset);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(100))) {
          return record;
        }
      }
    }
    throw new AssertionError("nothing at " + partition + "@" + offset);
  }

  private static Map<TopicPartition, Long> endOffsets() {
    try (KafkaConsumer<String, byte[]> reader = reader()) {
      List<TopicPartition> partitions =
          reader.partitionsFor(Topics.DEAD_LETTER, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      return reader.endOffsets(partitions, Duration.ofSeconds(30));
    }
  }

  /**
   * Every record of the key appended since {@code start}, read up to the current end: no window.
   */
  private static List<ConsumerRecord<String, byte[]>> deadLettersSince(
      Map<TopicPartition, Long> start, String key) {
    Map<TopicPartition, Long> end = endOffsets();
    List<ConsumerRecord<String, byte[]>> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> reader = reader()) {
      reader.assign(start.keySet());
      start.forEach(reader::seek);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (start.keySet().stream().anyMatch(tp -> reader.position(tp) < end.get(tp))) {
        assertThat(System.nanoTime()).as("read up to the end in time").isLessThan(deadline);
        for (ConsumerRecord<String, byte[]> record : reader.poll(Duration.ofMillis(100))) {
          if (key.equals(record.key())) {
            found.add(record);
          }
        }
      }
    }
    return found;
  }
}
