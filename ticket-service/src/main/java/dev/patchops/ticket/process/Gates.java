package dev.patchops.ticket.process;

import dev.patchops.contract.events.GateRefused;
import dev.patchops.platform.messaging.Outbox;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Raises what a {@link Policies policy} refused, and records the refusal. The record is written in
 * its own transaction, because the caller's transaction is about to roll back.
 */
@ApplicationScoped
public class Gates {
  private static final Logger LOG = Logger.getLogger(Gates.class);

  @Inject Outbox outbox;
  @Inject EntityManager entityManager;

  /** Throws the first refusal, recorded; returns when there is none. */
  public void enforce(String ticketId, String action, String actor, List<Refusal> refusals) {
    if (!refusals.isEmpty()) {
      throw refuse(ticketId, action, actor, refusals.get(0));
    }
  }

  public Refused refuse(String ticketId, String action, String actor, Refusal refusal) {
    record(ticketId, action, refusal.gate().id(), actor, refusal.recordedReason());
    return new Refused(ticketId, action, refusal);
  }

  /**
   * Callers refuse before they publish anything, and every publisher of a ticket's events locks the
   * ticket row first; so while the caller holds the ticket, no one else can hold its outbox key and
   * this nested transaction cannot wait on a lock that waits on us. The lock timeout is the
   * backstop: the refusal still reaches the caller if the record cannot be written.
   */
  private void record(String ticketId, String action, String gate, String actor, String reason) {
    try {
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                entityManager.createNativeQuery("set local lock_timeout = '5s'").executeUpdate();
                outbox.publish(
                    new GateRefused(ticketId, action, gate, actor, reason, Instant.now()),
                    "gates/" + gate,
                    actor);
              });
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not record refusal of %s on %s (gate %s)", action, ticketId, gate);
    }
  }
}
