package dev.patchops.ticket.process;

import dev.patchops.contract.events.GateRefused;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Refuses an attempt to skip a step of the process, and records the refusal. The record is written
 * in its own transaction, because the caller's transaction is about to roll back.
 */
@ApplicationScoped
public class Gates {
  public static final String ROOT_CAUSE = "root-cause";
  public static final String TESTS_PASSED = "tests-passed";
  public static final String SEPARATION_OF_DUTIES = "separation-of-duties";
  public static final String CHANGE_FREEZE = "change-freeze";
  public static final String EMERGENCY_REASON = "emergency-reason";
  public static final String STATE = "state";

  private static final Logger LOG = Logger.getLogger(Gates.class);

  @Inject Outbox outbox;
  @Inject EntityManager entityManager;

  public ApiException conflict(
      String ticketId, String action, String gate, String actor, String reason) {
    record(ticketId, action, gate, actor, reason);
    return ApiException.conflict("gate-" + gate, reason);
  }

  public ApiException forbidden(
      String ticketId, String action, String gate, String actor, String reason) {
    record(ticketId, action, gate, actor, reason);
    return ApiException.forbidden("gate-" + gate, reason);
  }

  /** A refused request whose input was invalid, e.g. an emergency without its reason. */
  public ApiException invalid(
      String ticketId, String action, String gate, String actor, String field, String reason) {
    record(ticketId, action, gate, actor, field + " " + reason);
    return ApiException.badRequest(field, reason);
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
