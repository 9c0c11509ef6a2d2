package dev.patchops.ticket.process;

import dev.patchops.contract.events.GateRefused;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;

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

  @Inject Outbox outbox;

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

  private void record(String ticketId, String action, String gate, String actor, String reason) {
    QuarkusTransaction.requiringNew()
        .run(
            () ->
                outbox.publish(
                    new GateRefused(ticketId, action, gate, actor, reason, Instant.now()),
                    "gates/" + gate,
                    actor));
  }
}
