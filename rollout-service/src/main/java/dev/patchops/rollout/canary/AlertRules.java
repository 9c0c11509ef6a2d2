package dev.patchops.rollout.canary;

import dev.patchops.contract.model.Severity;
import java.time.Instant;
import java.util.List;

/**
 * Whether a firing alert on a rollout's workload reverts it. A pure function:
 *
 * <ul>
 *   <li>an alert that started before the rollout began was not caused by it (it may be the very
 *       incident the patch fixes): recorded, not acted on;
 *   <li>only the severities the rollout's policy names revert (without a policy:
 *       rollout.revert-severities, SEV1 and SEV2); others are recorded;
 *   <li>an alert without a severity reverts: a missing label is no reason to keep a bad change.
 * </ul>
 */
public final class AlertRules {
  public static final String STARTED_BEFORE = "started-before-rollout";
  public static final String SEVERITY = "severity";

  private AlertRules() {}

  /**
   * @param reason null when the alert reverts; else {@link #STARTED_BEFORE} or {@link #SEVERITY}
   */
  public record Verdict(String reason, String detail) {
    public boolean reverts() {
      return reason == null;
    }
  }

  public static Verdict judge(
      Severity severity, Instant startsAt, Instant rolloutBegan, List<Severity> reverting) {
    if (startsAt != null && rolloutBegan != null && startsAt.isBefore(rolloutBegan)) {
      return new Verdict(
          STARTED_BEFORE,
          "firing since " + startsAt + ", before the rollout began at " + rolloutBegan);
    }
    if (severity != null && !reverting.contains(severity)) {
      return new Verdict(SEVERITY, severity + " does not revert; reverting: " + reverting);
    }
    return new Verdict(null, null);
  }
}
