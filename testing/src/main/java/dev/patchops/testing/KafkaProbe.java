package dev.patchops.testing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads what really reached the broker, independently of the code under test: no consumer group,
 * all partitions assigned, starting at the end of the log when the probe is opened.
 */
public final class KafkaProbe implements AutoCloseable {
  private final KafkaConsumer<String, byte[]> consumer;

  private KafkaProbe(KafkaConsumer<String, byte[]> consumer) {
    this.consumer = consumer;
  }

  /** Only records appended after this call are seen. */
  public static KafkaProbe fromNow(String... topics) {
    KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            TestInfra.kafkaConfig(
                Map.of(
                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                    false,
                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                    "read_committed",
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                    10,
                    ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                    2000)),
            new StringDeserializer(),
            new ByteArrayDeserializer());
    List<TopicPartition> partitions =
        Arrays.stream(topics)
            .flatMap(
                topic ->
                    consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(info -> new TopicPartition(topic, info.partition())))
            .toList();
    consumer.assign(partitions);
    consumer.seekToEnd(partitions);
    partitions.forEach(consumer::position);
    return new KafkaProbe(consumer);
  }

  /**
   * Collects matching records until {@code expected} have arrived, then keeps listening for {@code
   * settle} so that duplicates would be seen too.
   */
  public List<ConsumerRecord<String, byte[]>> collect(
      Predicate<ConsumerRecord<String, byte[]>> filter,
      int expected,
      Duration timeout,
      Duration settle) {
    List<ConsumerRecord<String, byte[]>> matched = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    long settleUntil = Long.MAX_VALUE;
    while (System.nanoTime() < Math.min(deadline, settleUntil)) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
        if (filter.test(record)) {
          matched.add(record);
        }
      }
      if (matched.size() >= expected && settleUntil == Long.MAX_VALUE) {
        settleUntil = System.nanoTime() + settle.toNanos();
      }
    }
    return matched;
  }

  public List<ConsumerRecord<String, byte[]>> collect(
      Predicate<ConsumerRecord<String, byte[]>> filter, int expected, Duration timeout) {
    return collect(filter, expected, timeout, Duration.ZERO);
  }

  /**
   * Collects matching records until {@code expected} have arrived, then waits on {@code marker}
   * (see {@link Delivered}: a condition that holds only once a second copy would have been
   * published) and reads every partition to its end: a duplicate is then among the records.
   */
  public List<ConsumerRecord<String, byte[]>> collect(
      Predicate<ConsumerRecord<String, byte[]>> filter,
      int expected,
      Duration timeout,
      Runnable marker) {
    List<ConsumerRecord<String, byte[]>> matched =
        new ArrayList<>(collect(filter, expected, timeout));
    if (matched.size() >= expected) {
      marker.run();
      matched.addAll(drain(filter, timeout));
    }
    return matched;
  }

  /**
   * The matching records from the probe's position up to the end of every partition as it is at
   * this call (read_committed: the last stable offset).
   */
  public List<ConsumerRecord<String, byte[]>> drain(
      Predicate<ConsumerRecord<String, byte[]>> filter, Duration timeout) {
    Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment());
    List<ConsumerRecord<String, byte[]>> matched = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the log did not reach its end offsets " + end);
      }
      for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(50))) {
        if (filter.test(record)) {
          matched.add(record);
        }
      }
    }
    return matched;
  }

  /** The last value of a header as UTF-8, or null. */
  public static String header(ConsumerRecord<?, ?> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
  }

  public static String value(ConsumerRecord<String, byte[]> record) {
    return new String(record.value(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    consumer.close(Duration.ofSeconds(5));
  }
}
