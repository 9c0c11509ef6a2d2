package dev.patchops.rollout.policy;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Which policy of the workload's namespace governs a Deployment. A pure function of the policies
 * and the Deployment's name and labels.
 *
 * <p>The most specific match wins: a policy that names the Deployment in {@code deployments} beats
 * any selector; among selectors, the one with more requirements ({@code matchLabels} entries plus
 * {@code matchExpressions}) wins, so an empty selector is the namespace's fallback. Two matches of
 * equal specificity are refused, naming both: choosing by age or name would let the order in which
 * people applied policies decide how production is changed. No match: the service's defaults.
 */
public final class PolicyMatcher {
  /** A name in {@code deployments} ranks above every selector. */
  static final int NAMED = Integer.MAX_VALUE;

  private PolicyMatcher() {}

  public sealed interface Choice {}

  /** The policy that governs, and why it was chosen. */
  public record Matched(RolloutPolicy policy, String reason) implements Choice {}

  /** No policy selects the workload: the service's defaults apply. */
  public record Defaults() implements Choice {}

  /** Several policies match with the same specificity: refused. */
  public record Ambiguous(List<String> policies, String reason) implements Choice {}

  public static Choice choose(
      List<RolloutPolicy> policies, String deployment, Map<String, String> labels) {
    record Hit(RolloutPolicy policy, int rank) {}
    List<Hit> hits = new ArrayList<>();
    for (RolloutPolicy p : policies) {
      int rank = rank(p, deployment, labels == null ? Map.of() : labels);
      if (rank >= 0) {
        hits.add(new Hit(p, rank));
      }
    }
    if (hits.isEmpty()) {
      return new Defaults();
    }
    int best = hits.stream().mapToInt(Hit::rank).max().orElseThrow();
    List<RolloutPolicy> top =
        hits.stream()
            .filter(h -> h.rank() == best)
            .map(Hit::policy)
            .sorted(Comparator.comparing(RolloutPolicy::name))
            .toList();
    String why =
        best == NAMED ? "names the Deployment" : "selector with " + best + " requirement(s)";
    if (top.size() > 1) {
      List<String> names = top.stream().map(RolloutPolicy::name).toList();
      return new Ambiguous(
          names,
          "policies "
              + String.join(", ", names)
              + " all match Deployment "
              + deployment
              + " equally ("
              + why
              + "); make one more specific or remove one");
    }
    return new Matched(top.get(0), why);
  }

  /** How specifically the policy selects the Deployment; -1 when it does not. */
  static int rank(RolloutPolicy p, String deployment, Map<String, String> labels) {
    if (p.deployments() != null && p.deployments().contains(deployment)) {
      return NAMED;
    }
    LabelSelector s = p.selector();
    if (s == null || !matches(s, labels)) {
      return -1;
    }
    return (s.getMatchLabels() == null ? 0 : s.getMatchLabels().size())
        + (s.getMatchExpressions() == null ? 0 : s.getMatchExpressions().size());
  }

  /** Kubernetes label-selector semantics: every requirement holds; none means all. */
  public static boolean matches(LabelSelector s, Map<String, String> labels) {
    if (s.getMatchLabels() != null) {
      for (var e : s.getMatchLabels().entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    if (s.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : s.getMatchExpressions()) {
        if (!holds(r, labels)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean holds(LabelSelectorRequirement r, Map<String, String> labels) {
    String value = labels.get(r.getKey());
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> labels.containsKey(r.getKey());
      case "DoesNotExist" -> !labels.containsKey(r.getKey());
      // An operator Kubernetes does not know selects nothing rather than everything.
      default -> false;
    };
  }
}
