package dev.patchops.platform.testapp;

import dev.patchops.contract.Channels;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.platform.messaging.InboundEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** A consumer of the tickets topic whose effect is a row per event. */
@ApplicationScoped
public class TicketEffects {
  public static final String CONSUMER = "platform-test-effects";
  public static final String ALWAYS_FAILS = "TCK-999";

  /**
   * Tickets with this prefix wait, inside the handler's transaction, for a PostgreSQL advisory lock
   * named after the ticket: a test that holds it can catch the handler mid-transaction and take its
   * database session away.
   */
  public static final String WAITS_FOR_DATABASE = "TCK-DBWAIT-";

  private final Map<String, AtomicInteger> failuresToInject = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

  @Inject InboundEvents inbound;

  public void failNextAttempts(String ticketId, int failures) {
    failuresToInject.put(ticketId, new AtomicInteger(failures));
  }

  public int attempts(String ticketId) {
    return attempts.getOrDefault(ticketId, new AtomicInteger()).get();
  }

  @Incoming(Channels.TICKETS_IN)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    inbound.process(
        CONSUMER,
        record,
        event -> {
          String ticketId = event.key();
          attempts.computeIfAbsent(ticketId, k -> new AtomicInteger()).incrementAndGet();
          if (ticketId.startsWith(WAITS_FOR_DATABASE)) {
            Effect.getEntityManager()
                .createNativeQuery("select pg_advisory_xact_lock(hashtext(?1))")
                .setParameter(1, ticketId)
                .getSingleResult();
          }
          if (ticketId.equals(ALWAYS_FAILS)) {
            throw new IllegalStateException("downstream refuses ticket " + ticketId);
          }
          AtomicInteger remaining = failuresToInject.get(ticketId);
          if (remaining != null && remaining.getAndDecrement() > 0) {
            throw new IllegalStateException("transient failure for " + ticketId);
          }
          Effect effect = new Effect();
          effect.eventId = event.id();
          effect.eventType = event.type().type();
          effect.ticketId = ticketId;
          effect.title = event.payload() instanceof TicketOpened opened ? opened.title() : null;
          effect.persist();
        });
  }
}
