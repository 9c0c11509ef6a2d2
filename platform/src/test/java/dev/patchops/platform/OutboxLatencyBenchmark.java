package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.Topics;
import dev.patchops.contract.model.Severity;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.platform.testapp.WidgetService;
import dev.patchops.testing.Latencies;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.TestProducer;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Outbox publish latency: from the commit of a transaction to the record being readable on the
 * broker, against the same path without an outbox, and against a relay that only polls. Not part of
 * the test suite (the name does not end in Test): run it with {@code -Pbench}, see
 * docs/benchmarks.md.
 */
@QuarkusTest
@PatchOpsTest
class OutboxLatencyBenchmark {
  private static final int EVENTS = Integer.getInteger("bench.events", 2000);
  private static final int POLLING_EVENTS = Integer.getInteger("bench.polling.events", 200);
  private static final Duration PACE = Duration.ofMillis(Long.getLong("bench.pace.ms", 4));

  @Inject WidgetService widgets;
  @Inject AgroalDataSource dataSource;
  @Inject PlatformConfig config;

  @Test
  void commitToBrokerLatency() throws Exception {
    List<String> report = new ArrayList<>();
    report.add("| scenario | events | p50 ms | p90 ms | p99 ms | max ms | mean ms |");
    report.add("|---|---:|---:|---:|---:|---:|---:|");
    try (Receiver receiver = new Receiver()) {
      measureOutbox(receiver, "warmup-", 300);
      report.add(row("direct produce, no outbox (baseline)", measureDirect(receiver, EVENTS)));
      report.add(
          row(
              "outbox, relay woken by NOTIFY on commit",
              measureOutbox(receiver, "notify-", EVENTS)));
      report.add(row("outbox, burst of 4 writers unpaced", measureBurst(receiver, EVENTS)));
      setNotifyTrigger(false);
      try {
        report.add(
            row(
                "outbox, relay polling every "
                    + config.outbox().pollInterval().toMillis()
                    + " ms (baseline)",
                measureOutbox(receiver, "polling-", POLLING_EVENTS)));
      } finally {
        setNotifyTrigger(true);
      }
    }
    String text =
        "Outbox commit-to-broker latency, "
            + Instant.now()
            + ", paced at one event per "
            + PACE.toMillis()
            + " ms unless stated\n\n"
            + String.join("\n", report)
            + "\n";
    System.out.println(text);
    Path out = Path.of("target", "benchmarks", "outbox-latency.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
  }

  private long[] measureOutbox(Receiver receiver, String prefix, int events) throws Exception {
    String run = "BENCH-" + prefix + System.nanoTime() + "-";
    Map<String, Long> committed = new ConcurrentHashMap<>();
    receiver.expect(run);
    for (int i = 0; i < events; i++) {
      String key = run + i;
      widgets.create("bench", key, Severity.SEV4, "bench");
      committed.put(key, System.nanoTime());
      Thread.sleep(PACE.toMillis());
    }
    return receiver.latencies(run, committed, events);
  }

  private long[] measureBurst(Receiver receiver, int events) throws Exception {
    String run = "BENCH-burst-" + System.nanoTime() + "-";
    Map<String, Long> committed = new ConcurrentHashMap<>();
    receiver.expect(run);
    ExecutorService writers = Executors.newFixedThreadPool(4);
    long start = System.nanoTime();
    for (int i = 0; i < events; i++) {
      String key = run + i;
      writers.submit(
          () -> {
            widgets.create("bench", key, Severity.SEV4, "bench");
            committed.put(key, System.nanoTime());
          });
    }
    writers.shutdown();
    assertThat(writers.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
    long[] latencies = receiver.latencies(run, committed, events);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf(
        "burst: %d events committed and delivered in %.2f s (%.0f events/s)%n",
        events, seconds, events / seconds);
    return latencies;
  }

  private long[] measureDirect(Receiver receiver, int events) throws Exception {
    String run = "BENCH-direct-" + System.nanoTime() + "-";
    Map<String, Long> sent = new ConcurrentHashMap<>();
    receiver.expect(run);
    try (KafkaProducer<String, byte[]> producer = TestProducer.create()) {
      byte[] value = TestEvents.ticketOpenedJson("x", "bench").getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < events; i++) {
        String key = run + i;
        sent.put(key, System.nanoTime());
        producer.send(new ProducerRecord<>(Topics.TICKETS, key, value));
        Thread.sleep(PACE.toMillis());
      }
      producer.flush();
    }
    return receiver.latencies(run, sent, events);
  }

  private void setNotifyTrigger(boolean enabled) throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          "alter table outbox_event "
              + (enabled ? "enable" : "disable")
              + " trigger outbox_event_notify");
    }
  }

  private static String row(String scenario, long[] nanos) {
    Latencies latencies = Latencies.ofNanos(nanos);
    return String.format(
        "| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f |",
        scenario,
        latencies.count(),
        latencies.percentileMs(0.50),
        latencies.percentileMs(0.90),
        latencies.percentileMs(0.99),
        latencies.maxMs(),
        latencies.meanMs());
  }

  /** Timestamps each record the moment a consumer can read it from the broker. */
  private static final class Receiver implements AutoCloseable {
    private final Map<String, Long> received = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile String prefix = "\u0000";

    Receiver() {
      KafkaConsumer<String, byte[]> consumer =
          new KafkaConsumer<>(
              TestInfra.kafkaConfig(
                  Map.of(
                      ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG,
                      1,
                      ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                      false)),
              new StringDeserializer(),
              new ByteArrayDeserializer());
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.TICKETS).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToEnd(partitions);
      partitions.forEach(consumer::position);
      thread =
          new Thread(
              () -> {
                try (consumer) {
                  while (running.get()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(5))) {
                      long now = System.nanoTime();
                      if (r.key() != null && r.key().startsWith(prefix)) {
                        received.putIfAbsent(r.key(), now);
                      }
                    }
                  }
                }
              },
              "bench-receiver");
      thread.start();
    }

    void expect(String runPrefix) {
      prefix = runPrefix;
    }

    long[] latencies(String run, Map<String, Long> start, int expected)
        throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      while (System.nanoTime() < deadline
          && received.keySet().stream().filter(k -> k.startsWith(run)).count() < expected) {
        Thread.sleep(20);
      }
      long[] out = new long[expected];
      for (int i = 0; i < expected; i++) {
        String key = run + i;
        Long got = received.get(key);
        Long began = start.get(key);
        assertThat(got).as("received %s", key).isNotNull();
        // A consumer may see the record before the writer thread stamps its commit.
        out[i] = Math.max(0, got - began);
      }
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      running.set(false);
      thread.join(5_000);
    }
  }
}
