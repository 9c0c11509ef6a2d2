package dev.patchops.localstack;

import static org.awaitility.Awaitility.await;

import dev.patchops.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A replay as an operator's tool or a misbehaving producer would make one: every record of every
 * PatchOps topic read from the beginning and produced again to the same partition, with the same
 * key, value, headers (the CloudEvents identity among them) and timestamp. Every consumer group
 * then receives each record once more per replay.
 */
final class TopicReplay {
  private final Map<String, Object> clientConfig;

  /**
   * @param clientConfig a Kafka client login with the rights to read and write every topic
   */
  TopicReplay(Map<String, Object> clientConfig) {
    this.clientConfig = clientConfig;
  }

  /**
   * Every committed record of every PatchOps topic up to the end of each partition as of this call,
   * in partition order. Aborted transactions are not read: they were never delivered.
   */
  List<ConsumerRecord<String, byte[]>> readAll() {
    Properties props = new Properties();
    props.putAll(clientConfig);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : Topics.ALL) {
        c.partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      // For a read_committed consumer the end is the last stable offset: after the last
      // transaction that has committed or aborted.
      Map<TopicPartition, Long> end = c.endOffsets(partitions);
      c.assign(partitions);
      c.seekToBeginning(partitions);
      List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (partitions.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("could not read every topic to its end " + end);
        }
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
          if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
            records.add(r);
          }
        }
      }
      return records;
    }
  }

  /**
   * Produces every record again, {@code times} times over, each pass in the order read.
   *
   * @return per partition, the offset after the last copy written
   */
  Map<TopicPartition, Long> replay(List<ConsumerRecord<String, byte[]>> records, int times)
      throws Exception {
    Properties props = new Properties();
    props.putAll(clientConfig);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    List<Future<RecordMetadata>> sent = new ArrayList<>();
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
      for (int pass = 0; pass < times; pass++) {
        for (ConsumerRecord<String, byte[]> r : records) {
          sent.add(
              producer.send(
                  new ProducerRecord<>(
                      r.topic(),
                      r.partition(),
                      r.timestamp(),
                      r.key(),
                      r.value(),
                      new RecordHeaders(r.headers().toArray()))));
        }
      }
      producer.flush();
    }
    Map<TopicPartition, Long> ends = new HashMap<>();
    for (Future<RecordMetadata> f : sent) {
      RecordMetadata m = f.get(60, TimeUnit.SECONDS);
      ends.merge(new TopicPartition(m.topic(), m.partition()), m.offset() + 1, Math::max);
    }
    return ends;
  }

  /**
   * Waits until each group has committed, on every partition its members are assigned, at least the
   * given offset: it has consumed everything up to there. A group's members must all be assigned,
   * so a group in the middle of a rebalance is waited for too.
   */
  void awaitConsumed(Collection<String> groups, Map<TopicPartition, Long> upTo, Duration atMost) {
    Map<String, Object> config = new HashMap<>(clientConfig);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    try (Admin admin = Admin.create(config)) {
      await()
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertConsumed(admin, groups, upTo));
    }
  }

  private static void assertConsumed(
      Admin admin, Collection<String> groups, Map<TopicPartition, Long> upTo) throws Exception {
    Map<String, ConsumerGroupDescription> described =
        admin.describeConsumerGroups(groups).all().get(30, TimeUnit.SECONDS);
    List<String> behind = new ArrayList<>();
    for (String group : groups) {
      ConsumerGroupDescription d = described.get(group);
      if (d.members().isEmpty()) {
        behind.add(group + " has no members");
        continue;
      }
      List<TopicPartition> assigned = new ArrayList<>();
      for (MemberDescription m : d.members()) {
        assigned.addAll(m.assignment().topicPartitions());
      }
      if (assigned.isEmpty()) {
        behind.add(group + " has no partitions assigned");
        continue;
      }
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      for (TopicPartition p : assigned) {
        long target = upTo.getOrDefault(p, 0L);
        OffsetAndMetadata at = committed.get(p);
        long offset = at == null ? 0 : at.offset();
        if (offset < target) {
          behind.add(group + " at " + p + ": committed " + offset + " of " + target);
        }
      }
    }
    if (!behind.isEmpty()) {
      throw new AssertionError("consumer groups behind: " + behind);
    }
  }
}
