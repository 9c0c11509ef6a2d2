package dev.patchops.audit.messaging;

import dev.patchops.audit.config.AuditConfig;
import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.audit.trail.RecordParser;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.Channels;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * Kafka batches in, one chained JDBC batch out. Offsets are committed only after the batch's
 * transaction, and a failed batch is retried whole until the database takes it: the trail has no
 * dead-letter topic of its own, since skipping a record would be the one unforgivable outcome.
 */
@ApplicationScoped
public class AuditIngestor {
  private static final Logger LOG = Logger.getLogger(AuditIngestor.class);

  private final AuditTrail trail;
  private final AuditConfig config;
  private final Counter appended;
  private final Counter duplicates;
  private final Counter flagged;
  private final Counter retries;

  @Inject
  public AuditIngestor(AuditTrail trail, AuditConfig config, MeterRegistry registry) {
    this.trail = trail;
    this.config = config;
    this.appended = registry.counter("patchops.audit.records.appended");
    this.duplicates = registry.counter("patchops.audit.records.duplicates");
    this.flagged = registry.counter("patchops.audit.records.flagged");
    this.retries = registry.counter("patchops.audit.batch.retries");
  }

  @Incoming(Channels.AUDIT_TRAIL_IN)
  @Blocking
  public void ingest(ConsumerRecords<String, byte[]> batch) throws InterruptedException {
    List<TrailRecord> parsed = new ArrayList<>(batch.count());
    for (ConsumerRecord<String, byte[]> record : batch) {
      parsed.add(RecordParser.parse(record));
    }
    List<TrailRecord> stored = appendPatiently(parsed);
    appended.increment(stored.size());
    duplicates.increment(parsed.size() - stored.size());
    flagged.increment(stored.stream().filter(TrailRecord::flagged).count());
  }

  private List<TrailRecord> appendPatiently(List<TrailRecord> parsed) throws InterruptedException {
    Duration backoff = config.ingest().retryBackoff();
    while (true) {
      try {
        return trail.append(parsed);
      } catch (RuntimeException e) {
        retries.increment();
        LOG.warnf(
            "audit batch of %d records not stored (%s); retrying in %d ms",
            parsed.size(), e.getMessage(), backoff.toMillis());
        Thread.sleep(backoff.toMillis());
        backoff = min(backoff.multipliedBy(2), config.ingest().maxRetryBackoff());
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
