package dev.patchops.platform.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.List;

/**
 * Status conditions of PatchOps's custom resources, kept the way Kubernetes keeps its own: one
 * condition per type, and its {@code lastTransitionTime} moves only when its status flips, so that
 * {@code kubectl wait} and dashboards see a transition once, not at every status write.
 */
public final class Conditions {
  private Conditions() {}

  /**
   * The condition {@code type} as it should be now, given the conditions the resource had: the same
   * transition time when the status is unchanged, now when it flips or is new.
   */
  public static Condition of(
      String type,
      boolean status,
      String reason,
      String message,
      List<Condition> previous,
      Long generation) {
    String value = status ? "True" : "False";
    String since = Instant.now().toString();
    if (previous != null) {
      for (Condition c : previous) {
        if (type.equals(c.getType())
            && value.equals(c.getStatus())
            && c.getLastTransitionTime() != null) {
          since = c.getLastTransitionTime();
        }
      }
    }
    return new ConditionBuilder()
        .withType(type)
        .withStatus(value)
        .withReason(reason)
        .withMessage(message == null ? "" : message)
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  /** Puts {@code condition} in place of the one of its type, or appends it when there is none. */
  public static void set(List<Condition> conditions, Condition condition) {
    for (int i = 0; i < conditions.size(); i++) {
      if (condition.getType().equals(conditions.get(i).getType())) {
        conditions.set(i, condition);
        return;
      }
    }
    conditions.add(condition);
  }
}
