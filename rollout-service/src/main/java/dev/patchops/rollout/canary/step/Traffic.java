package dev.patchops.rollout.canary.step;

import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.checkpoint.Checkpoints;
import dev.patchops.rollout.checkpoint.Snapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The second part of a step: where requests go. In Gateway API mode the HTTPRoute splits them by
 * the step's weight between the stable and the canary Service; in replica mode the plain Service
 * spreads them over all Pods, so the replica counts are the split and nothing is written here.
 */
@ApplicationScoped
public class Traffic {
  @Inject WorkloadOps ops;
  @Inject Checkpoints checkpoints;

  public void route(Rollout r, Snapshot checkpoint, int weight) {
    ops.ensureRouteWeight(r, checkpoint, weight);
  }

  /** After promotion, all traffic back on the stable Service, which now runs the patch. */
  public void reset(Rollout r) {
    if (r.httpRoute != null) {
      checkpoints.resetRoute(r.id);
    }
  }
}
