package dev.patchops.platform.messaging;

import dev.patchops.platform.Echo;
import dev.patchops.platform.config.PlatformConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jboss.logging.Logger;

/**
 * The consuming half of reliable messaging, used by every {@code @Incoming} method: decode, skip
 * redeliveries through the inbox, apply the effect in one transaction, retry transient failures a
 * bounded number of times, and dead-letter what cannot be processed.
 */
@ApplicationScoped
public class InboundEvents {
  private static final Logger LOG = Logger.getLogger(InboundEvents.class);

  /** Below the 60 s after which the Kafka connector reports an unacknowledged record as stuck. */
  private static final Duration TRANSIENT_PATIENCE = Duration.ofSeconds(40);

  public enum Outcome {
    PROCESSED,
    DUPLICATE,
    DEAD_LETTERED,
    /** Valid and trusted, but about nothing this consumer holds: no transaction, no inbox row. */
    NOT_ACTED_ON
  }

  private final EventCodec codec;
  private final Inbox inbox;
  private final DeadLetters deadLetters;
  private final PlatformConfig config;
  private final MeterRegistry registry;

  @Inject
  public InboundEvents(
      EventCodec codec,
      Inbox inbox,
      DeadLetters deadLetters,
      PlatformConfig config,
      MeterRegistry registry) {
    this.codec = codec;
    this.inbox = inbox;
    this.deadLetters = deadLetters;
    this.config = config;
    this.registry = registry;
  }

  /**
   * @param consumer the inbox namespace, normally the consumer group; two consumers of one service
   *     that both need an event use two names
   */
  public Outcome process(
      String consumer, ConsumerRecord<String, byte[]> record, EventHandler handler) {
    return process(consumer, record, event -> true, handler);
  }

  /**
   * As {@link #process(String, ConsumerRecord, EventHandler)}, for a consumer that can tell from a
   * decoded event alone that the event concerns nothing it holds: such an event is checked as any
   * other (a poison or an untrusted one is still dead-lettered) and then acknowledged without a
   * transaction. {@code actsOn} must be true for any event the handler could act on, since a
   * skipped event leaves no inbox row.
   */
  public Outcome process(
      String consumer,
      ConsumerRecord<String, byte[]> record,
      java.util.function.Predicate<IncomingEvent> actsOn,
      EventHandler handler) {
    IncomingEvent event;
    try {
      event = codec.decode(record);
    } catch (UntrustedSourceException e) {
      registry
          .counter("patchops.inbox.untrusted", "consumer", consumer, "type", e.type().type())
          .increment();
      return deadLetter(consumer, record, e.getMessage(), e, 1);
    } catch (PoisonMessageException e) {
      return deadLetter(consumer, record, e.getMessage(), e, 1);
    }
    if (!actsOn.test(event)) {
      return count(consumer, Outcome.NOT_ACTED_ON);
    }
    int maxAttempts = Math.max(1, config.inbox().maxAttempts());
    RuntimeException last = null;
    long transientDeadline = System.nanoTime() + TRANSIENT_PATIENCE.toNanos();
    Duration transientBackoff = config.inbox().retryBackoff();
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        boolean first =
            QuarkusTransaction.requiringNew()
                .call(
                    () -> {
                      if (!inbox.firstDelivery(consumer, event)) {
                        return false;
                      }
                      handler.handle(event);
                      return true;
                    });
        return count(consumer, first ? Outcome.PROCESSED : Outcome.DUPLICATE);
      } catch (RuntimeException e) {
        PoisonMessageException poison = poisonCause(e);
        if (poison != null) {
          return deadLetter(consumer, record, poison.getMessage(), poison, attempt);
        }
        if (isTransient(e)) {
          // The database is restarting or overloaded: the event is fine, so it must not be parked.
          // Retry without spending an attempt; past our patience, fail the record unacknowledged
          // so that it is consumed again (after a restart if need be).
          if (System.nanoTime() > transientDeadline || Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException(
                consumer + " cannot reach its database; " + event.id() + " stays unacknowledged",
                e);
          }
          LOG.warnf(
              "%s: transient failure on %s, retrying: %s",
              consumer, Echo.cap(event.id(), 200), Echo.cap(rootMessage(e), 1000));
          sleep(transientBackoff);
          transientBackoff = min(transientBackoff.multipliedBy(2), Duration.ofSeconds(5));
          attempt--;
          continue;
        }
        last = e;
        LOG.warnf(
            "%s failed on %s %s (attempt %d of %d): %s",
            consumer,
            event.type().type(),
            Echo.cap(event.id(), 200),
            attempt,
            maxAttempts,
            Echo.cap(rootMessage(e), 1000));
        if (attempt < maxAttempts) {
          sleep(config.inbox().retryBackoff().multipliedBy(attempt));
        }
      }
    }
    return deadLetter(
        consumer,
        record,
        "processing failed after " + maxAttempts + " attempts: " + rootMessage(last),
        last,
        maxAttempts);
  }

  private Outcome deadLetter(
      String consumer,
      ConsumerRecord<String, byte[]> record,
      String reason,
      Throwable error,
      int attempts) {
    LOG.warnf(
        "%s dead-letters %s-%d@%d: %s",
        consumer,
        record.topic(),
        record.partition(),
        record.offset(),
        // The reason may quote the record's headers: someone else's text in our log.
        Echo.cap(reason, 1000));
    deadLetters.park(record, consumer, reason, rootCause(error), attempts);
    return count(consumer, Outcome.DEAD_LETTERED);
  }

  private Outcome count(String consumer, Outcome outcome) {
    registry
        .counter("patchops.inbox.events", "consumer", consumer, "outcome", outcome.name())
        .increment();
    return outcome;
  }

  /** Failures of the infrastructure rather than of the event: connection, locking, resources. */
  static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientException
          || t instanceof java.sql.SQLRecoverableException
          || t instanceof InterruptedException
          || t instanceof jakarta.persistence.PessimisticLockException
          || t instanceof jakarta.persistence.OptimisticLockException
          || t instanceof org.hibernate.StaleStateException
          || t instanceof jakarta.persistence.LockTimeoutException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql && sql.getSQLState() != null) {
        String sqlClass = sql.getSQLState().length() >= 2 ? sql.getSQLState().substring(0, 2) : "";
        // 08 connection, 40 serialization/deadlock, 53 resources, 57 operator intervention.
        if (Set.of("08", "40", "53", "57").contains(sqlClass)) {
          return true;
        }
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static PoisonMessageException poisonCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PoisonMessageException poison) {
        return poison;
      }
    }
    return null;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable root = e;
    while (root != null && root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = rootCause(e);
    return root == null ? "unknown" : String.valueOf(root.getMessage());
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      // Shutting down: leave the record unacknowledged rather than burn its attempts.
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying", e);
    }
  }
}
