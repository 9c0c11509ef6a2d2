package dev.patchops.rollout.canary.analysis;

import dev.patchops.contract.model.AnalysisEvidence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Pod rules of the analysis, one set for a canary step and for the watch window after
 * promotion: a container the kubelet cannot run, or more restarts than the limit, fails at once; in
 * the watch window, Pods that stay unready for longer than the progress deadline fail too. Pure:
 * the caller reads the Pods.
 */
public final class PodRules {
  private PodRules() {}

  /**
   * The evidence of the rules and, when they fail, why.
   *
   * @param failure null when the Pods pass
   */
  public record Verdict(List<AnalysisEvidence> evidence, String failure) {
    public boolean failed() {
      return failure != null;
    }
  }

  /**
   * Restarts and containers that cannot run (CrashLoopBackOff, ImagePullBackOff, a config error).
   *
   * @param who names the Pods in the reason: "canary", "promoted"
   * @param subject the restarts' subject: namespace/deployment
   * @param deployment the Deployment the pod-state evidence names
   * @param stuck one "pod/container: reason" per container that cannot run
   */
  public static Verdict runnable(
      String who,
      String subject,
      String deployment,
      int restarts,
      List<String> stuck,
      int maxRestarts) {
    List<AnalysisEvidence> evidence = new ArrayList<>();
    boolean tooMany = restarts > maxRestarts;
    evidence.add(
        new AnalysisEvidence(
            "restarts", subject, String.valueOf(restarts), "<= " + maxRestarts, !tooMany));
    String restarted = who + " Pods restarted " + restarts + " times (limit " + maxRestarts + ")";
    if (!stuck.isEmpty()) {
      String cannot = String.join("; ", stuck);
      evidence.add(new AnalysisEvidence("pod-state", deployment, cannot, "running", false));
      // A crash loop is both: the reason names the restarts as well as the waiting reason.
      return new Verdict(
          evidence, who + " Pods cannot run: " + cannot + (tooMany ? "; " + restarted : ""));
    }
    return new Verdict(evidence, tooMany ? restarted : null);
  }

  /**
   * Readiness of the promoted Pods in the watch window. A Pod may be replaced (a node drained, a
   * Pod evicted) without the patch being at fault, so unready Pods fail only once they have been
   * short for longer than the progress deadline.
   *
   * @param unreadySince since when fewer than {@code desired} have been ready; null while all are
   */
  public static Verdict ready(
      String subject,
      int ready,
      int desired,
      Instant unreadySince,
      Instant now,
      Duration deadline) {
    boolean allReady = ready >= desired;
    Duration unreadyFor =
        allReady || unreadySince == null ? Duration.ZERO : Duration.between(unreadySince, now);
    AnalysisEvidence evidence =
        new AnalysisEvidence(
            "promoted-ready",
            subject,
            ready
                + "/"
                + desired
                + " ready"
                + (allReady ? "" : " for " + unreadyFor.toMillis() + " ms"),
            "all, or back within " + deadline.toSeconds() + " s",
            allReady);
    String failure =
        !allReady && unreadyFor.compareTo(deadline) > 0
            ? "promoted Pods not ready for more than "
                + deadline.toSeconds()
                + " s ("
                + ready
                + "/"
                + desired
                + " ready)"
            : null;
    return new Verdict(List.of(evidence), failure);
  }
}
