package dev.patchops.audit.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.audit.trail.ChainHash;
import dev.patchops.audit.trail.RecordParser;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.DiagnosticAdded;
import dev.patchops.contract.model.DiagnosticKind;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Sustained ingest: a burst of events on Kafka, timed until every one is a committed, chained row.
 * The baseline, in the same run and on the same database, is a raw JDBC batch insert of the same
 * rows with no chain, no canonicalization and no Kafka. Not a test: run with {@code -Pbench}; the
 * results go in docs/benchmarks.md.
 */
@QuarkusTest
@WithAuditInfra
class AuditIngestBenchmark {
  private static final int EVENTS = Integer.getInteger("bench.events", 200_000);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 50_000);

  @Inject AuditTrail trail;

  @ConfigProperty(name = "quarkus.datasource.jdbc.url")
  String jdbcUrl;

  /** The baseline batches as many rows per insert as the consumer gets per poll. */
  @ConfigProperty(name = "mp.messaging.incoming.patchops-audit-trail.max.poll.records")
  int jdbcBatch;

  @Test
  void ingestAgainstRawJdbcBaseline() throws Exception {
    List<ProducerRecord<String, byte[]>> warmup = events(WARMUP);
    ingest(warmup);
    baseline(warmup, "bench_warmup");

    List<ProducerRecord<String, byte[]>> events = events(EVENTS);
    double baseline = baseline(events, "bench_raw");
    double ingest = ingest(events);

    String text =
        String.format(
            Locale.ROOT,
            "| scenario | events | events/s |%n|---|---:|---:|%n"
                + "| raw JDBC batch insert, no chain, no Kafka (baseline) | %d | %,.0f |%n"
                + "| Kafka → parse + RFC 8785 + SHA-256 chain → JDBC batch, committed | %d | %,.0f |%n"
                + "%nratio ingest / baseline: %.2f%n",
            EVENTS,
            baseline,
            EVENTS,
            ingest,
            ingest / baseline);
    System.out.println(text);
    Path out = Path.of("target", "benchmarks", "audit-ingest.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
    assertThat(ingest).isPositive();
  }

  /** Produces the burst, then waits for the head to cover it; events per second end to end. */
  private double ingest(List<ProducerRecord<String, byte[]>> events) throws Exception {
    long startSeq = trail.head().seq();
    long start = System.nanoTime();
    // Batched like the services' relays send: the burst arrives as fast as the broker takes it.
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            TestInfra.kafkaConfig(
                Map.of(
                    ProducerConfig.ACKS_CONFIG,
                    "all",
                    ProducerConfig.LINGER_MS_CONFIG,
                    5,
                    ProducerConfig.BATCH_SIZE_CONFIG,
                    262_144,
                    ProducerConfig.COMPRESSION_TYPE_CONFIG,
                    "none")),
            new StringSerializer(),
            new ByteArraySerializer())) {
      for (ProducerRecord<String, byte[]> event : events) {
        producer.send(event);
      }
      producer.flush();
    }
    long target = startSeq + events.size();
    while (trail.head().seq() < target) {
      Thread.sleep(20);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(trail.head().seq()).isEqualTo(target);
    return events.size() / seconds;
  }

  /** The same rows, already parsed and given a constant hash, inserted as fast as JDBC allows. */
  private double baseline(List<ProducerRecord<String, byte[]>> events, String table)
      throws Exception {
    List<TrailRecord> rows = new ArrayList<>(events.size());
    long seq = 0;
    Instant now = Instant.now();
    for (ProducerRecord<String, byte[]> event : events) {
      ConsumerRecord<String, byte[]> record =
          new ConsumerRecord<>(event.topic(), 0, seq, event.key(), event.value());
      event.headers().forEach(h -> record.headers().add(h));
      TrailRecord parsed = RecordParser.parse(record);
      seq++;
      rows.add(
          new TrailRecord(
              seq,
              parsed.stream(),
              parsed.source(),
              parsed.eventId(),
              parsed.type(),
              parsed.specVersion(),
              parsed.subject(),
              parsed.ticketId(),
              parsed.actor(),
              parsed.eventTime(),
              now,
              parsed.topic(),
              0,
              seq,
              parsed.headers(),
              parsed.payload(),
              null,
              null,
              ChainHash.GENESIS,
              ChainHash.GENESIS));
    }
    try (Connection c =
        DriverManager.getConnection(
            jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true",
            dev.patchops.devstack.PostgresServer.USER,
            dev.patchops.devstack.PostgresServer.PASSWORD)) {
      try (Statement s = c.createStatement()) {
        s.execute("drop table if exists " + table);
        s.execute("create table " + table + " (like audit_record including indexes)");
      }
      c.setAutoCommit(false);
      long start = System.nanoTime();
      try (PreparedStatement insert =
          c.prepareStatement(
              "insert into "
                  + table
                  + " ("
                  + AuditTrail.COLUMNS
                  + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        int inBatch = 0;
        for (TrailRecord row : rows) {
          AuditTrail.bind(insert, row);
          insert.addBatch();
          if (++inBatch == jdbcBatch) {
            insert.executeBatch();
            c.commit();
            inBatch = 0;
          }
        }
        insert.executeBatch();
        c.commit();
      }
      return rows.size() / ((System.nanoTime() - start) / 1e9);
    }
  }

  private static List<ProducerRecord<String, byte[]>> events(int n) throws Exception {
    List<ProducerRecord<String, byte[]>> events = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String ticketId = "T-B" + (i % 500);
      DiagnosticAdded payload =
          new DiagnosticAdded(
              ticketId,
              "D-" + i,
              DiagnosticKind.LOG_QUERY,
              "https://logs.example/explore?query=%7Bapp%3D%22checkout%22%7D&from=now-1h&i=" + i,
              Instant.now(),
              "a".repeat(64),
              "502s from checkout correlate with the connection pool running dry",
              "bob");
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(
              EventType.DIAGNOSTIC_ADDED.topic(),
              ticketId,
              ContractJson.mapper().writeValueAsBytes(payload));
      Map<String, String> headers =
          EventSender.headers(
              EventType.DIAGNOSTIC_ADDED, UUID.randomUUID().toString(), "ticket-service");
      headers.put(CloudEventHeaders.TICKET_ID, ticketId);
      headers.put(CloudEventHeaders.SUBJECT, ticketId);
      headers.forEach(
          (k, v) -> record.headers().add(new RecordHeader(k, v.getBytes(StandardCharsets.UTF_8))));
      events.add(record);
    }
    return events;
  }
}
