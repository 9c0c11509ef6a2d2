package dev.patchops.ticket.messaging;

import dev.patchops.contract.events.GateRefused;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.patch.PatchRevision;
import dev.patchops.ticket.tickets.Ticket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Which rollout events may move a ticket: only those of a rollout of the ticket's current revision
 * with the very image that revision was approved with. A rollout of another image or another
 * revision that carries the ticket's id is not the approved change; it moves nothing, and when it
 * reaches production (its checkpoint) the ticket's trail says so with a {@code ticket.gate-refused}
 * of the gate {@value #GATE}, so an auditor finds it beside the approval it does not match.
 */
@ApplicationScoped
public class RolloutBinding {
  private static final Logger LOG = Logger.getLogger(RolloutBinding.class);
  public static final String GATE = "rollout-binding";
  public static final String ACTION = "follow-rollout";

  @Inject Outbox outbox;

  /** A rollout event as far as binding goes. */
  public record Seen(
      String ticketId,
      String rolloutId,
      Integer revision,
      String image,
      String startedBy,
      boolean reachedProduction) {}

  /**
   * @return whether the event is about the approved revision and image; otherwise it is ignored
   *     (and recorded once, when the foreign rollout reached production)
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean follows(Seen e) {
    Ticket ticket = Ticket.findById(e.ticketId());
    if (ticket == null) {
      LOG.debugf("rollout %s names unknown ticket %s; ignored", e.rolloutId(), e.ticketId());
      return false;
    }
    String mismatch = mismatch(ticket, e);
    if (mismatch == null) {
      return true;
    }
    LOG.infof("rollout %s of %s ignored: %s", e.rolloutId(), e.ticketId(), mismatch);
    if (e.reachedProduction()) {
      outbox.publish(
          new GateRefused(
              e.ticketId(),
              ACTION,
              GATE,
              e.startedBy() == null ? "unknown" : e.startedBy(),
              "rollout " + e.rolloutId() + " is not followed by the ticket: " + mismatch,
              Instant.now()),
          "tickets/" + e.ticketId(),
          e.startedBy() == null ? "rollout-service" : e.startedBy());
    }
    return false;
  }

  /** Why the event is not about the approved change, or null when it is. */
  private static String mismatch(Ticket ticket, Seen e) {
    if (ticket.currentRevision == null) {
      return "the ticket has no revision";
    }
    if (e.revision() != null && e.revision() != ticket.currentRevision.intValue()) {
      return "it rolls out revision "
          + e.revision()
          + ", the ticket's revision is "
          + ticket.currentRevision;
    }
    PatchRevision revision = PatchRevision.find(ticket.id, ticket.currentRevision);
    if (revision == null) {
      return "revision " + ticket.currentRevision + " is unknown";
    }
    if (e.image() == null || !e.image().equals(revision.image)) {
      return "it rolls out image "
          + e.image()
          + ", revision "
          + revision.revision
          + " is image "
          + revision.image;
    }
    return null;
  }
}
