package dev.patchops.rollout.policy;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.rollout.canary.AnalysisSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A policy is a floor a request cannot go below. A pure function of the policy and what the request
 * asked for (approval, REST body or PatchRollout spec):
 *
 * <ul>
 *   <li>steps: the policy's unless the request gives its own, which must be at least as careful
 *       (first weight no higher, no fewer steps, total pause no shorter);
 *   <li>analysis: the policy's queries always run; a request may add queries, not replace or drop
 *       one (same name, other query or bounds: refused). A progress deadline or restart limit may
 *       only be tightened; a request may not point the policy's queries at another Prometheus;
 *   <li>traffic: a policy that sets the mode decides it; a request may name the same HTTPRoute or
 *       none, nothing else.
 * </ul>
 *
 * Without a policy the request is taken as it is, as before policies existed.
 */
public final class PolicyFloor {
  private PolicyFloor() {}

  /**
   * What the rollout runs with; null {@code steps} means the service's default steps.
   *
   * @param refusals why the request goes below the policy; empty when it does not
   */
  public record Effective(
      List<CanaryStep> steps, AnalysisSpec analysis, String httpRoute, List<String> refusals) {
    public boolean refused() {
      return !refusals.isEmpty();
    }
  }

  public static Effective apply(
      RolloutPolicy policy, List<CanaryStep> steps, AnalysisSpec analysis, String httpRoute) {
    List<CanaryStep> requestedSteps = steps == null || steps.isEmpty() ? null : steps;
    AnalysisSpec requested = analysis == null ? AnalysisSpec.DEFAULTS : analysis;
    if (policy == null) {
      return new Effective(requestedSteps, requested, httpRoute, List.of());
    }
    List<String> refusals = new ArrayList<>();
    return new Effective(
        steps(policy, requestedSteps, refusals),
        analysis(policy, requested, refusals),
        route(policy, httpRoute, refusals),
        List.copyOf(refusals));
  }

  private static List<CanaryStep> steps(
      RolloutPolicy policy, List<CanaryStep> requested, List<String> refusals) {
    List<CanaryStep> floor = policy.steps();
    if (floor.isEmpty()) {
      return requested;
    }
    if (requested == null) {
      return floor;
    }
    if (requested.get(0).weight() > floor.get(0).weight()) {
      refusals.add(
          "steps: first weight "
              + requested.get(0).weight()
              + "% is above policy "
              + policy.name()
              + "'s "
              + floor.get(0).weight()
              + "%");
    }
    if (requested.size() < floor.size()) {
      refusals.add(
          "steps: "
              + requested.size()
              + " step(s), fewer than policy "
              + policy.name()
              + "'s "
              + floor.size());
    }
    long pause = requested.stream().mapToLong(CanaryStep::pauseSeconds).sum();
    long floorPause = floor.stream().mapToLong(CanaryStep::pauseSeconds).sum();
    if (pause < floorPause) {
      refusals.add(
          "steps: "
              + pause
              + " s of pauses in all, shorter than policy "
              + policy.name()
              + "'s "
              + floorPause
              + " s");
    }
    return requested;
  }

  private static AnalysisSpec analysis(
      RolloutPolicy policy, AnalysisSpec requested, List<String> refusals) {
    AnalysisSpec floor = policy.analysis() == null ? AnalysisSpec.DEFAULTS : policy.analysis();
    Integer deadline =
        tighter(
            "analysis.progressDeadlineSeconds",
            floor.progressDeadlineSeconds(),
            requested.progressDeadlineSeconds(),
            policy,
            refusals);
    Integer restarts =
        tighter(
            "analysis.maxRestarts", floor.maxRestarts(), requested.maxRestarts(), policy, refusals);
    String url = floor.prometheusUrl();
    if (requested.prometheusUrl() != null) {
      if (url != null && !url.equals(requested.prometheusUrl())) {
        refusals.add(
            "analysis.prometheusUrl: policy "
                + policy.name()
                + " queries "
                + url
                + "; a request may not move its queries elsewhere");
      } else {
        url = requested.prometheusUrl();
      }
    }
    Map<String, AnalysisSpec.MetricQuery> queries = new LinkedHashMap<>();
    floor.queriesOrEmpty().forEach(q -> queries.put(q.name(), q));
    for (AnalysisSpec.MetricQuery q : requested.queriesOrEmpty()) {
      AnalysisSpec.MetricQuery own = q == null ? null : queries.get(q.name());
      if (own == null) {
        if (q != null) {
          queries.put(q.name(), q);
        }
      } else if (!own.equals(q)) {
        refusals.add(
            "analysis.queries["
                + q.name()
                + "]: is policy "
                + policy.name()
                + "'s query; a request may add queries, not replace one");
      }
    }
    Map<String, AnalysisSpec.Comparison> comparisons = new LinkedHashMap<>();
    floor.comparisonsOrEmpty().forEach(c -> comparisons.put(c.name(), c));
    for (AnalysisSpec.Comparison c : requested.comparisonsOrEmpty()) {
      AnalysisSpec.Comparison own = c == null ? null : comparisons.get(c.name());
      if (own == null) {
        if (c != null) {
          comparisons.put(c.name(), c);
        }
      } else if (!own.equals(c)) {
        refusals.add(
            "analysis.comparisons["
                + c.name()
                + "]: is policy "
                + policy.name()
                + "'s comparison; a request may add comparisons, not replace one");
      }
    }
    Double passScore =
        higher("analysis.passScore", floor.passScore(), requested.passScore(), policy, refusals);
    Double marginalScore =
        higher(
            "analysis.marginalScore",
            floor.marginalScore(),
            requested.marginalScore(),
            policy,
            refusals);
    return new AnalysisSpec(
        deadline,
        restarts,
        url,
        List.copyOf(queries.values()),
        List.copyOf(comparisons.values()),
        passScore,
        marginalScore);
  }

  /** The judge's thresholds: a request may ask for a higher score, never a lower one. */
  private static Double higher(
      String field, Double floor, Double requested, RolloutPolicy policy, List<String> refusals) {
    if (requested == null) {
      return floor;
    }
    if (floor != null && requested < floor) {
      refusals.add(
          field
              + ": "
              + requested
              + " is below policy "
              + policy.name()
              + "'s "
              + floor
              + "; a request may only raise it");
      return floor;
    }
    return requested;
  }

  /** The lower of the two limits; a request above the policy's is refused. */
  private static Integer tighter(
      String field, Integer floor, Integer requested, RolloutPolicy policy, List<String> refusals) {
    if (requested == null) {
      return floor;
    }
    if (floor != null && requested > floor) {
      refusals.add(
          field + ": " + requested + " is looser than policy " + policy.name() + "'s " + floor);
      return floor;
    }
    return requested;
  }

  private static String route(RolloutPolicy policy, String requested, List<String> refusals) {
    RolloutPolicy.Traffic traffic = policy.traffic();
    if (traffic == null) {
      return requested;
    }
    if (!traffic.gateway()) {
      if (requested != null) {
        refusals.add(
            "httpRoute: policy "
                + policy.name()
                + " splits traffic by replica ratio; a request may not route it through "
                + requested);
      }
      return null;
    }
    if (requested != null && !Objects.equals(requested, traffic.httpRoute())) {
      refusals.add(
          "httpRoute: policy "
              + policy.name()
              + " routes through HTTPRoute "
              + traffic.httpRoute()
              + ", not "
              + requested);
    }
    return traffic.httpRoute();
  }
}
