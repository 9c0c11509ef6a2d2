package dev.patchops.rollout.quarantine;

import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.events.NodeDrainBlocked;
import dev.patchops.contract.events.NodeDrained;
import dev.patchops.contract.events.QuarantineBreached;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.HardwareReleaseMode;
import dev.patchops.contract.model.Quarantine;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.platform.messaging.Outbox;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Node quarantines: recorded by the consumers, carried out by {@link QuarantineEngine}. */
@ApplicationScoped
public class QuarantineService {
  static final String ACTOR = "rollout-service";

  @Inject Outbox outbox;

  @Transactional(Transactional.TxType.MANDATORY)
  public void requested(HardwareQuarantineRequested e) {
    if (e.nodeName() == null || NodeQuarantine.findById(e.ticketId()) != null) {
      return;
    }
    NodeQuarantine q = new NodeQuarantine();
    q.ticketId = e.ticketId();
    q.equipment = e.equipment();
    q.nodeName = e.nodeName();
    q.state = NodeQuarantine.State.REQUESTED;
    q.requestedAt = Instant.now();
    q.message = "cordon requested";
    q.persist();
  }

  /**
   * A burn-in result on the quarantined node. A pass does not release it: the fix must be approved
   * by someone other than the assignee first ({@link #fixApproved}).
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void burnInCompleted(TestRunCompleted e) {
    NodeQuarantine q = NodeQuarantine.findById(e.ticketId(), LockModeType.PESSIMISTIC_WRITE);
    if (q == null || e.burnInNode() == null || !e.burnInNode().equals(q.nodeName)) {
      return;
    }
    if (q.state != NodeQuarantine.State.QUARANTINED
        && q.state != NodeQuarantine.State.REQUESTED
        && q.state != NodeQuarantine.State.DRAINING) {
      return;
    }
    q.burnInRun = e.runId();
    q.burnInPassed = e.outcome() == TestOutcome.PASSED;
    if (q.burnInPassed) {
      q.message = "burn-in " + e.runId() + " passed; awaiting the fix's approval";
    } else {
      q.message = "burn-in " + e.runId() + " " + e.outcome() + "; node stays quarantined (plan B)";
    }
  }

  /** The ticket-service approved the fix after a passed burn-in: the node may go back. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void fixApproved(HardwareFixApproved e) {
    NodeQuarantine q = NodeQuarantine.findById(e.ticketId(), LockModeType.PESSIMISTIC_WRITE);
    if (q == null || q.state != NodeQuarantine.State.QUARANTINED) {
      return;
    }
    if (!Boolean.TRUE.equals(q.burnInPassed) || !e.burnInRunId().equals(q.burnInRun)) {
      // Approval of a run this quarantine did not see pass (a stale or foreign result): the node
      // stays out, and says why.
      q.message =
          "approval of burn-in " + e.burnInRunId() + " ignored: no passed burn-in of this node";
      return;
    }
    release(q, HardwareReleaseMode.BURN_IN, e.approvedBy(), null);
  }

  /** Plan B: the assignee takes the node back without an approved burn-in, with a reason. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void manualRelease(HardwareManualReleaseRequested e) {
    NodeQuarantine q = NodeQuarantine.findById(e.ticketId(), LockModeType.PESSIMISTIC_WRITE);
    if (q == null || q.state != NodeQuarantine.State.QUARANTINED) {
      return;
    }
    release(q, HardwareReleaseMode.MANUAL, e.requestedBy(), e.reason());
  }

  private static void release(
      NodeQuarantine q, HardwareReleaseMode mode, String by, String reason) {
    q.state = NodeQuarantine.State.RELEASING;
    q.releaseMode = mode.name();
    q.releasedBy = by;
    q.releaseReason = reason;
    q.message = "released by " + by + " (" + mode + "); restoring the node";
  }

  public static String taint(String ticketId) {
    return Quarantine.TAINT_KEY
        + "="
        + NodeOps.taintValue(ticketId)
        + ":"
        + Quarantine.TAINT_EFFECT;
  }

  @Transactional
  public List<String> pending() {
    return NodeQuarantine.<NodeQuarantine>find(
            "state in ?1",
            List.of(
                NodeQuarantine.State.REQUESTED,
                NodeQuarantine.State.DRAINING,
                NodeQuarantine.State.RELEASING))
        .list()
        .stream()
        .map(q -> q.ticketId)
        .toList();
  }

  @Transactional
  public NodeQuarantine get(String ticketId) {
    return NodeQuarantine.findById(ticketId);
  }

  /** Cordoned and tainted: the node's Pods are evicted next. */
  @Transactional
  public void cordoned(
      String ticketId, boolean previousUnschedulable, List<String> previousTaints) {
    NodeQuarantine q = NodeQuarantine.findById(ticketId, LockModeType.PESSIMISTIC_WRITE);
    if (q.state != NodeQuarantine.State.REQUESTED) {
      return;
    }
    q.state = NodeQuarantine.State.DRAINING;
    q.previousUnschedulable = previousUnschedulable;
    q.previousTaints = previousTaints;
    q.drainEvicted = List.of();
    q.message = "cordoned and tainted " + taint(ticketId) + "; draining";
  }

  /**
   * One pass of the drain. A refusal by a disruption budget is reported once and retried; when no
   * Pod is left to move, the node is quarantined, and only then can its burn-in start.
   */
  @Transactional
  public void drainPass(String ticketId, NodeDrain.Pass pass) {
    NodeQuarantine q = NodeQuarantine.findById(ticketId, LockModeType.PESSIMISTIC_WRITE);
    if (q.state != NodeQuarantine.State.DRAINING) {
      return;
    }
    List<String> evicted = new ArrayList<>(q.drainEvicted == null ? List.of() : q.drainEvicted);
    evicted.addAll(pass.evicted());
    q.drainEvicted = List.copyOf(evicted);
    if (pass.done()) {
      quarantined(q);
      return;
    }
    q.nextAttemptAt = Instant.now().plusSeconds(2);
    if (pass.blocked().isEmpty()) {
      q.message = "draining: waiting for " + pass.remaining() + " evicted Pods to terminate";
      return;
    }
    q.message =
        "drain blocked by "
            + pass.blockedBy()
            + " for "
            + String.join(", ", pass.blocked())
            + "; retrying, never forcing";
    if (!q.drainBlockedReported) {
      q.drainBlockedReported = true;
      outbox.publish(
          new NodeDrainBlocked(
              ticketId,
              q.equipment,
              q.nodeName,
              pass.blocked(),
              pass.blockedBy() + " allows no disruption now",
              Instant.now()),
          "nodes/" + q.nodeName,
          ACTOR);
    }
  }

  private void quarantined(NodeQuarantine q) {
    String ticketId = q.ticketId;
    boolean previousUnschedulable = Boolean.TRUE.equals(q.previousUnschedulable);
    List<String> previousTaints = q.previousTaints == null ? List.of() : q.previousTaints;
    q.state = NodeQuarantine.State.QUARANTINED;
    q.quarantinedAt = Instant.now();
    q.nextAttemptAt = null;
    q.message = "cordoned, tainted " + taint(ticketId) + " and drained";
    outbox.publish(
        new NodeDrained(ticketId, q.equipment, q.nodeName, q.drainEvicted, q.quarantinedAt),
        "nodes/" + q.nodeName,
        ACTOR);
    outbox.publish(
        new HardwareQuarantined(
            ticketId,
            q.equipment,
            q.nodeName,
            previousUnschedulable,
            previousTaints,
            taint(ticketId),
            q.quarantinedAt),
        "nodes/" + q.nodeName,
        ACTOR);
    if (Boolean.TRUE.equals(q.burnInPassed)) {
      // A pass can only count for a node that was in quarantine when it ran.
      q.burnInPassed = null;
      q.burnInRun = null;
    }
  }

  /** The quarantines a change to this node would breach: cordoned, draining or drained. */
  @Transactional
  public List<String> holding(String nodeName) {
    return NodeQuarantine.<NodeQuarantine>find(
            "nodeName = ?1 and state in ?2",
            nodeName,
            List.of(NodeQuarantine.State.DRAINING, NodeQuarantine.State.QUARANTINED))
        .list()
        .stream()
        .map(q -> q.ticketId)
        .toList();
  }

  @Transactional
  public Set<String> heldNodes() {
    return Set.copyOf(
        NodeQuarantine.getEntityManager()
            .createQuery(
                "select q.nodeName from NodeQuarantine q where q.state in ?1", String.class)
            .setParameter(
                1, List.of(NodeQuarantine.State.DRAINING, NodeQuarantine.State.QUARANTINED))
            .getResultList());
  }

  /** Someone undid the quarantine outside PatchOps, and it was put back. */
  @Transactional
  public void breached(String ticketId, String observed, String fieldManager) {
    NodeQuarantine q = NodeQuarantine.findById(ticketId, LockModeType.PESSIMISTIC_WRITE);
    if (q.state != NodeQuarantine.State.DRAINING && q.state != NodeQuarantine.State.QUARANTINED) {
      return;
    }
    q.breaches++;
    q.lastBreachAt = Instant.now();
    q.message = "quarantine breached outside PatchOps (" + observed + "); re-applied";
    outbox.publish(
        new QuarantineBreached(
            ticketId, q.equipment, q.nodeName, observed, fieldManager, true, q.lastBreachAt),
        "nodes/" + q.nodeName,
        ACTOR);
  }

  @Transactional
  public void released(String ticketId) {
    NodeQuarantine q = NodeQuarantine.findById(ticketId, LockModeType.PESSIMISTIC_WRITE);
    if (q.state != NodeQuarantine.State.RELEASING) {
      return;
    }
    q.state = NodeQuarantine.State.RELEASED;
    q.releasedAt = Instant.now();
    q.message = "node restored to its state before quarantine";
    HardwareReleaseMode mode =
        q.releaseMode == null
            ? HardwareReleaseMode.BURN_IN
            : HardwareReleaseMode.valueOf(q.releaseMode);
    outbox.publish(
        new HardwareQuarantineReleased(
            ticketId,
            q.equipment,
            q.releasedBy == null ? ACTOR : q.releasedBy,
            mode == HardwareReleaseMode.BURN_IN,
            q.releasedAt,
            mode,
            q.releaseReason),
        "nodes/" + q.nodeName,
        ACTOR);
  }

  @Transactional
  public void failed(String ticketId, String why) {
    NodeQuarantine q = NodeQuarantine.findById(ticketId, LockModeType.PESSIMISTIC_WRITE);
    q.message = why;
    q.nextAttemptAt = Instant.now().plusSeconds(2);
  }
}
