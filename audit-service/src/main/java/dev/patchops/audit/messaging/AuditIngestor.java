package dev.patchops.audit.messaging;

import dev.patchops.audit.config.AuditConfig;
import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.audit.trail.RecordParser;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.Channels;
import dev.patchops.contract.Provenance;
import dev.patchops.platform.config.PlatformConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordBatchMetadata;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Acknowledgment;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Kafka batches in, one chained JDBC batch out, as a two-stage pipeline: while the writer thread
 * stores batch N, the consumer already parses batch N+1. A batch is acknowledged, and its offsets
 * become committable, only after its transaction has committed; a failed batch is retried whole
 * until the database takes it. The trail has no dead-letter topic of its own, since skipping a
 * record is the one outcome an audit trail cannot have.
 */
@ApplicationScoped
public class AuditIngestor {
  private static final Logger LOG = Logger.getLogger(AuditIngestor.class);
  private static final String UNTRUSTED_CONSUMER = "audit-service.trail";

  /** Batches parsed but not yet stored: enough to overlap the stages, bounded to cap memory. */
  private static final int IN_FLIGHT = 2;

  private final AuditTrail trail;
  private final AuditConfig config;
  private final Counter appended;
  private final Counter duplicates;
  private final Counter flagged;
  private final Counter retries;
  private final Set<String> intakeSources;
  private final MeterRegistry registry;
  private final Semaphore inFlight = new Semaphore(IN_FLIGHT);
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread thread = new Thread(r, "audit-trail-writer");
            thread.setDaemon(true);
            return thread;
          });

  @Inject
  public AuditIngestor(
      AuditTrail trail, AuditConfig config, PlatformConfig platform, MeterRegistry registry) {
    this.trail = trail;
    this.config = config;
    this.intakeSources = Set.copyOf(platform.inbox().intakeSources().orElse(List.of()));
    this.registry = registry;
    this.appended = registry.counter("patchops.audit.records.appended");
    this.duplicates = registry.counter("patchops.audit.records.duplicates");
    this.flagged = registry.counter("patchops.audit.records.flagged");
    this.retries = registry.counter("patchops.audit.batch.retries");
  }

  @Incoming(Channels.AUDIT_TRAIL_IN)
  @Acknowledgment(Acknowledgment.Strategy.MANUAL)
  @Blocking
  public CompletionStage<Void> ingest(Message<List<byte[]>> batch) throws InterruptedException {
    @SuppressWarnings("unchecked")
    ConsumerRecords<String, byte[]> records =
        batch
            .getMetadata(IncomingKafkaRecordBatchMetadata.class)
            .orElseThrow(() -> new IllegalStateException("the trail channel must be batched"))
            .getRecords();
    List<TrailRecord> parsed = new ArrayList<>(records.count());
    for (ConsumerRecord<String, byte[]> record : records) {
      TrailRecord parsedRecord = RecordParser.parse(record, intakeSources);
      if (parsedRecord.flagged()
          && parsedRecord.parseError().contains(Provenance.UNTRUSTED)
          && RecordParser.STREAM_EVENT.equals(parsedRecord.stream())) {
        registry
            .counter(
                "patchops.inbox.untrusted",
                "consumer",
                UNTRUSTED_CONSUMER,
                "type",
                parsedRecord.type())
            .increment();
        LOG.warnf(
            "untrusted event kept as refused: %s from %s at %s-%d@%d",
            parsedRecord.type(),
            parsedRecord.source(),
            record.topic(),
            record.partition(),
            record.offset());
      }
      parsed.add(parsedRecord);
    }
    inFlight.acquire();
    try {
      writer.execute(
          () -> {
            try {
              store(parsed);
              batch.ack();
            } catch (InterruptedException e) {
              // Shutting down: the batch stays unacknowledged and is redelivered after restart.
              Thread.currentThread().interrupt();
            } finally {
              inFlight.release();
            }
          });
    } catch (RejectedExecutionException e) {
      // Shutting down: the batch is left unacknowledged and will be redelivered.
      inFlight.release();
      throw e;
    }
    return CompletableFuture.completedFuture(null);
  }

  private void store(List<TrailRecord> parsed) throws InterruptedException {
    Duration backoff = config.ingest().retryBackoff();
    while (true) {
      try {
        List<TrailRecord> stored = trail.append(parsed);
        appended.increment(stored.size());
        duplicates.increment(parsed.size() - stored.size());
        flagged.increment(stored.stream().filter(TrailRecord::flagged).count());
        return;
      } catch (RuntimeException e) {
        retries.increment();
        LOG.warnf(
            "audit batch of %d records not stored (%s); retrying in %d ms",
            parsed.size(), e.getMessage(), backoff.toMillis());
        Thread.sleep(backoff.toMillis());
        Duration doubled = backoff.multipliedBy(2);
        backoff =
            doubled.compareTo(config.ingest().maxRetryBackoff()) <= 0
                ? doubled
                : config.ingest().maxRetryBackoff();
      }
    }
  }

  @PreDestroy
  void stop() throws InterruptedException {
    // Let the queued batches commit if the database lets them; whatever is left is redelivered.
    writer.shutdown();
    if (!writer.awaitTermination(10, TimeUnit.SECONDS)) {
      writer.shutdownNow();
    }
  }
}
