package dev.patchops.ticket.freeze;

import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.process.InvalidInput;
import dev.patchops.ticket.process.NotFound;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;

/**
 * Freeze windows, each change published with it: the rollout-service keeps its own copy for its
 * start gate, and the trail shows who froze or unfroze changes when.
 */
@ApplicationScoped
public class FreezeWindows {
  @Inject Outbox outbox;

  @Transactional(Transactional.TxType.MANDATORY)
  public FreezeWindow create(Instant startsAt, Instant endsAt, String reason, String actor) {
    if (!endsAt.isAfter(startsAt)) {
      throw new InvalidInput("endsAt", "must be after startsAt");
    }
    if (!endsAt.isAfter(Instant.now())) {
      throw new InvalidInput("endsAt", "must be in the future");
    }
    FreezeWindow window = new FreezeWindow();
    window.id = UUID.randomUUID();
    window.startsAt = startsAt;
    window.endsAt = endsAt;
    window.reason = reason;
    window.createdBy = actor;
    window.createdAt = Instant.now();
    window.persist();
    outbox.publish(
        new FreezeWindowCreated(
            window.id.toString(),
            window.startsAt,
            window.endsAt,
            window.reason,
            actor,
            window.createdAt),
        "freeze-windows/" + window.id,
        actor);
    return window;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void delete(UUID id, String actor) {
    if (!FreezeWindow.deleteById(id)) {
      throw new NotFound("freeze window " + id);
    }
    outbox.publish(
        new FreezeWindowDeleted(id.toString(), actor, Instant.now()),
        "freeze-windows/" + id,
        actor);
  }
}
