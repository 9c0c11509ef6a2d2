package dev.patchops.rollout.canary.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

public class PatchRolloutStatus {
  public String rolloutId;
  public String target;
  public String phase;
  public String step;

  /** The canary share the current step asked for, in percent. */
  public Integer weight;

  /**
   * The canary's real share of the traffic, in percent: with a route its weight, without one the
   * canary's share of the ready replicas (see {@code CanaryScale}).
   */
  public Double actualWeight;

  /** Replicas of the canary and of the stable Deployment in the current step. */
  public Integer canaryReplicas;

  public Integer stableReplicas;
  public String checkpoint;
  public String message;

  /**
   * The PatchRolloutPolicy it runs with, {@code name@generation}; {@code none} for the defaults.
   */
  public String policy;

  public Long observedGeneration;
  public List<Condition> conditions = new ArrayList<>();

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PatchRolloutStatus s)) {
      return false;
    }
    return Objects.equals(rolloutId, s.rolloutId)
        && Objects.equals(target, s.target)
        && Objects.equals(phase, s.phase)
        && Objects.equals(step, s.step)
        && Objects.equals(weight, s.weight)
        && Objects.equals(actualWeight, s.actualWeight)
        && Objects.equals(canaryReplicas, s.canaryReplicas)
        && Objects.equals(stableReplicas, s.stableReplicas)
        && Objects.equals(checkpoint, s.checkpoint)
        && Objects.equals(message, s.message)
        && Objects.equals(policy, s.policy)
        && Objects.equals(observedGeneration, s.observedGeneration)
        && Objects.equals(conditions, s.conditions);
  }

  @Override
  public int hashCode() {
    return Objects.hash(rolloutId, phase, step, weight);
  }
}
