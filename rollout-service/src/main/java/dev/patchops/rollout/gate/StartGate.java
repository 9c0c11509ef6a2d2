package dev.patchops.rollout.gate;

import dev.patchops.contract.model.RolloutOrigin;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one rule every path to production passes: a rollout starts only for a (ticket, revision,
 * image, workload) that was approved and has not rolled out yet, and not inside a change freeze.
 * The only way around is the emergency path: an authorised role and a reason, flagged for review.
 *
 * <p>A pure function of its inputs, so each rule is tested without a database or a cluster.
 */
public final class StartGate {
  private StartGate() {}

  /** The gates a start can be refused by. */
  public enum Gate {
    /** No approval of this ticket's revision is recorded. */
    APPROVAL,
    /** The revision is approved, but for another workload or other containers. */
    APPROVED_TARGET,
    /** The revision is approved for this workload, but with another image. */
    APPROVED_IMAGE,
    /** This approval has already been rolled out: a replay starts nothing. */
    REPLAY,
    /** A change freeze is active at the start. */
    CHANGE_FREEZE,
    /** An emergency start by someone without an emergency role. */
    EMERGENCY_ROLE,
    /** An emergency start without its reason. */
    EMERGENCY_REASON,
    /** PatchOps' own namespace or a cluster namespace (kube-*): never a rollout target. */
    PROTECTED_NAMESPACE,
    /** A namespace not on rollout.target-namespaces, where the service holds no rights. */
    TARGET_NAMESPACE,
    /**
     * The workload's PatchRolloutPolicy forbids the start: the request weakens it, two policies
     * match equally, or the matching policy cannot be used.
     */
    POLICY,
    /**
     * A step whose weight no canary size can come close to on this workload (for example 10 % of a
     * one-replica Deployment without a traffic route): see {@code CanaryScale}.
     */
    CANARY_WEIGHT;

    /** How the gate is named in events, problem types and conditions: {@code change-freeze}. */
    public String id() {
      return name().toLowerCase().replace('_', '-');
    }
  }

  /** A start as it was asked for, by whichever path. */
  public record Request(
      String ticketId,
      int revision,
      String image,
      String namespace,
      String deployment,
      List<String> containers,
      RolloutOrigin origin,
      String actor,
      boolean emergency,
      String emergencyReason,
      boolean emergencyAuthorised) {}

  /** One approved workload of a revision, as recorded from its approval event. */
  public record ApprovedTarget(
      String image,
      String namespace,
      String kind,
      String name,
      List<String> containers,
      String approver,
      boolean emergency) {}

  /** An earlier rollout of the same approval that reached (or is reaching) the cluster. */
  public record PriorRollout(String rolloutId, String phase) {}

  public record Freeze(String id, Instant startsAt, Instant endsAt, String reason) {
    boolean activeAt(Instant t) {
      return startsAt != null && endsAt != null && !t.isBefore(startsAt) && t.isBefore(endsAt);
    }
  }

  public record Refusal(Gate gate, String reason) {}

  /**
   * @param origin the path the rollout is recorded under: {@link RolloutOrigin#EMERGENCY} for any
   *     start that went around the approval and freeze gates
   * @param approval the approved target the start matched, if any
   */
  public record Decision(
      List<Refusal> refusals, RolloutOrigin origin, Optional<ApprovedTarget> approval) {
    public boolean allowed() {
      return refusals.isEmpty();
    }
  }

  public static Decision decide(
      Request request,
      List<ApprovedTarget> approvalsOfRevision,
      List<PriorRollout> priorRollouts,
      List<Freeze> freezes,
      Instant now) {
    List<Refusal> refusals = new ArrayList<>();
    if (request.emergency()) {
      if (!request.emergencyAuthorised()) {
        refusals.add(
            new Refusal(
                Gate.EMERGENCY_ROLE,
                request.actor()
                    + " may not start an emergency rollout: it needs role sre or admin"));
      }
      if (request.emergencyReason() == null || request.emergencyReason().isBlank()) {
        refusals.add(new Refusal(Gate.EMERGENCY_REASON, "an emergency rollout needs its reason"));
      }
      Optional<ApprovedTarget> matching =
          approvalsOfRevision.stream().filter(a -> sameTarget(a, request)).findFirst();
      return new Decision(List.copyOf(refusals), RolloutOrigin.EMERGENCY, matching);
    }
    String what = "revision " + request.revision() + " of " + request.ticketId();
    String workload = request.namespace() + "/" + request.deployment();
    Optional<ApprovedTarget> approval = Optional.empty();
    if (approvalsOfRevision.isEmpty()) {
      refusals.add(new Refusal(Gate.APPROVAL, "no approval of " + what + " is recorded"));
    } else {
      List<ApprovedTarget> forWorkload =
          approvalsOfRevision.stream()
              .filter(a -> "Deployment".equals(a.kind()))
              .filter(a -> a.namespace().equals(request.namespace()))
              .filter(a -> a.name().equals(request.deployment()))
              .toList();
      if (forWorkload.isEmpty()) {
        refusals.add(
            new Refusal(
                Gate.APPROVED_TARGET,
                what
                    + " is approved for "
                    + approvalsOfRevision.stream()
                        .map(a -> a.namespace() + "/" + a.kind() + "/" + a.name())
                        .distinct()
                        .toList()
                    + ", not Deployment "
                    + workload));
      } else {
        Optional<ApprovedTarget> sameImage =
            forWorkload.stream().filter(a -> a.image().equals(request.image())).findFirst();
        approval = sameImage;
        if (sameImage.isEmpty()) {
          refusals.add(
              new Refusal(
                  Gate.APPROVED_IMAGE,
                  what
                      + " is approved with image "
                      + forWorkload.get(0).image()
                      + ", not "
                      + request.image()));
        } else {
          List<String> unapproved =
              request.containers() == null
                  ? List.of()
                  : request.containers().stream()
                      .filter(c -> !sameImage.get().containers().contains(c))
                      .toList();
          if (!unapproved.isEmpty()) {
            refusals.add(
                new Refusal(
                    Gate.APPROVED_TARGET,
                    "containers "
                        + unapproved
                        + " of "
                        + workload
                        + " are not approved in "
                        + what
                        + " (approved: "
                        + sameImage.get().containers()
                        + ")"));
          }
        }
      }
      if (approval.isPresent() && !priorRollouts.isEmpty()) {
        PriorRollout prior = priorRollouts.get(0);
        refusals.add(
            new Refusal(
                Gate.REPLAY,
                "the approval of "
                    + what
                    + " for "
                    + workload
                    + " was already rolled out by "
                    + prior.rolloutId()
                    + " ("
                    + prior.phase()
                    + "); a new change needs a new approval"));
      }
    }
    // An emergency approval was decided by an emergency role with a reason: its start is not
    // held by a freeze, as the approval itself was not.
    boolean emergencyApproval = approval.map(ApprovedTarget::emergency).orElse(false);
    if (!emergencyApproval) {
      freezes.stream()
          .filter(f -> f.activeAt(now))
          .findFirst()
          .ifPresent(
              f ->
                  refusals.add(
                      new Refusal(
                          Gate.CHANGE_FREEZE,
                          "change freeze "
                              + f.id()
                              + " is active until "
                              + f.endsAt()
                              + " ("
                              + f.reason()
                              + "); only an emergency start may proceed")));
    }
    RolloutOrigin origin =
        emergencyApproval && request.origin() == RolloutOrigin.APPROVAL
            ? RolloutOrigin.EMERGENCY
            : request.origin();
    return new Decision(List.copyOf(refusals), origin, approval);
  }

  private static boolean sameTarget(ApprovedTarget a, Request r) {
    return "Deployment".equals(a.kind())
        && a.namespace().equals(r.namespace())
        && a.name().equals(r.deployment())
        && a.image().equals(r.image());
  }
}
