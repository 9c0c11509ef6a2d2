package dev.patchops.rollout.scaling;

import dev.patchops.contract.model.CanaryStep;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How many canary and stable replicas a step runs, so that the share it reports is the share it
 * has. A pure function: the engine sizes the Deployments with it, and every start is checked with
 * it before anything changes.
 *
 * <p>With a traffic route (Gateway API mode) the route's weights split the traffic exactly; the
 * replicas only have to carry it, so the canary is sized like the share and the stable keeps its
 * replicas. Without a route, the Service spreads requests over every ready Pod, so the canary's
 * share is {@code canary / (canary + stable)}. The stable Deployment never loses replicas (the
 * known-good version keeps its capacity); it gains some, at most {@code maxExtraStable}, only when
 * no canary size beside the stable replicas it has comes within the tolerance, as Argo Rollouts'
 * dynamic stable scaling does. Among the sizes then possible the closest share wins, fewer extra
 * stable replicas and then fewer Pods breaking ties. A step whose closest share is still more than
 * {@code tolerance} percentage points from its weight cannot be honoured.
 */
public final class CanaryScale {
  private CanaryScale() {}

  /**
   * The sizes of one step.
   *
   * @param requestedWeight the step's weight, in percent
   * @param actualWeight the canary's real share of the traffic, in percent
   * @param canaryReplicas replicas of the canary Deployment
   * @param stableReplicas replicas of the stable Deployment while the step runs
   * @param baseReplicas the stable Deployment's own replicas, restored at promotion
   * @param honoured whether the actual share is within the tolerance of the requested one
   */
  public record Plan(
      int requestedWeight,
      double actualWeight,
      int canaryReplicas,
      int stableReplicas,
      int baseReplicas,
      boolean routed,
      boolean honoured) {

    /** Stable replicas added for this step only. */
    public int extraStable() {
      return stableReplicas - baseReplicas;
    }

    /** The actual share, rounded to one decimal, as events and statuses carry it. */
    public double actualRounded() {
      return Math.round(actualWeight * 10) / 10.0;
    }

    /** Why the step cannot be honoured, naming the step as people number it. */
    public String refusal(int stepNumber, double tolerance) {
      return String.format(
          Locale.ROOT,
          "step %d asks for %d %% on %d replica%s %s; the closest achievable canary share is"
              + " %s %% (%d canary beside %d stable), more than %s percentage points away",
          stepNumber,
          requestedWeight,
          baseReplicas,
          baseReplicas == 1 ? "" : "s",
          routed ? "with a traffic route" : "without a traffic route",
          percent(actualWeight),
          canaryReplicas,
          stableReplicas,
          percent(tolerance));
    }
  }

  /**
   * @param desiredReplicas the stable Deployment's {@code spec.replicas} (0 or less counts as 1:
   *     the canary always has a Pod)
   * @param weight the step's weight, 1..100
   * @param routed whether a traffic route sets the split (Gateway API mode)
   * @param maxExtraStable stable replicas that may be added for a step; 0 when an autoscaler owns
   *     the replica count
   * @param tolerance how far, in percentage points, the actual share may be from the weight
   */
  public static Plan plan(
      int desiredReplicas, int weight, boolean routed, int maxExtraStable, double tolerance) {
    if (weight < 1 || weight > 100) {
      throw new IllegalArgumentException("weight must be within 1..100, was " + weight);
    }
    int base = Math.max(1, desiredReplicas);
    if (weight == 100) {
      // Promotion: the stable Deployment itself runs the patch, every replica of it.
      return new Plan(weight, 100, base, base, base, routed, true);
    }
    if (routed) {
      // The route sends exactly the weight; a canary as large, relative to the stable, as its
      // share of the traffic carries it at the stable Pods' load, and never has fewer than one Pod.
      long c = Math.round((double) base * weight / (100 - weight));
      int canary = (int) Math.max(1, Math.min(base, c));
      return new Plan(weight, weight, canary, base, base, true, true);
    }
    Plan best = closest(base, weight, base, tolerance);
    if (best.honoured()) {
      return best;
    }
    for (int stable = base + 1; stable <= base + Math.max(0, maxExtraStable); stable++) {
      Plan candidate = closest(base, weight, stable, tolerance);
      // Strictly closer only: with equal distance the fewer extra replicas (found first) stay.
      if (distance(candidate) < distance(best) - 1e-9) {
        best = candidate;
      }
    }
    return best;
  }

  /**
   * Why a plan of steps cannot be honoured on this workload, naming its first step that cannot;
   * empty when every step can.
   */
  public static Optional<String> refusal(
      List<CanaryStep> steps,
      int desiredReplicas,
      boolean routed,
      int maxExtraStable,
      double tolerance) {
    for (int i = 0; i < steps.size(); i++) {
      int weight = steps.get(i).weight();
      if (weight < 1 || weight > 100) {
        continue; // the request's own validation names a weight outside 1..100
      }
      Plan p = plan(desiredReplicas, weight, routed, maxExtraStable, tolerance);
      if (!p.honoured()) {
        return Optional.of(p.refusal(i + 1, tolerance));
      }
    }
    return Optional.empty();
  }

  /** The canary size beside {@code stable} replicas whose share is closest to the weight. */
  private static Plan closest(int base, int weight, int stable, double tolerance) {
    // canary / (canary + stable) = w / 100 at canary = stable * w / (100 - w): its floor or its
    // ceiling is the closest whole number of Pods; the smaller wins a tie.
    double exact = (double) stable * weight / (100 - weight);
    int low = (int) Math.max(1, Math.floor(exact));
    int high = (int) Math.max(1, Math.ceil(exact));
    Plan a = replicaPlan(base, weight, low, stable, tolerance);
    Plan b = replicaPlan(base, weight, high, stable, tolerance);
    return distance(b) < distance(a) - 1e-9 ? b : a;
  }

  private static Plan replicaPlan(int base, int weight, int canary, int stable, double tolerance) {
    double share = 100.0 * canary / (canary + stable);
    boolean honoured = Math.abs(share - weight) <= tolerance + 1e-9;
    return new Plan(weight, share, canary, stable, base, false, honoured);
  }

  private static double distance(Plan p) {
    return Math.abs(p.actualWeight() - p.requestedWeight());
  }

  static String percent(double value) {
    double rounded = Math.round(value * 10) / 10.0;
    return rounded == Math.rint(rounded)
        ? String.valueOf((long) rounded)
        : String.format(Locale.ROOT, "%.1f", rounded);
  }
}
