package dev.patchops.platform.messaging;

import dev.patchops.platform.config.PlatformConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
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

  public enum Outcome {
    PROCESSED,
    DUPLICATE,
    DEAD_LETTERED
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
    IncomingEvent event;
    try {
      event = codec.decode(record);
    } catch (PoisonMessageException e) {
      return deadLetter(consumer, record, e.getMessage(), e, 1);
    }
    int maxAttempts = Math.max(1, config.inbox().maxAttempts());
    RuntimeException last = null;
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
        last = e;
        LOG.warnf(
            "%s failed on %s %s (attempt %d of %d): %s",
            consumer, event.type().type(), event.id(), attempt, maxAttempts, rootMessage(e));
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
        consumer, record.topic(), record.partition(), record.offset(), reason);
    deadLetters.park(record, consumer, reason, rootCause(error), attempts);
    return count(consumer, Outcome.DEAD_LETTERED);
  }

  private Outcome count(String consumer, Outcome outcome) {
    registry
        .counter("patchops.inbox.events", "consumer", consumer, "outcome", outcome.name())
        .increment();
    return outcome;
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
      Thread.currentThread().interrupt();
    }
  }
}
