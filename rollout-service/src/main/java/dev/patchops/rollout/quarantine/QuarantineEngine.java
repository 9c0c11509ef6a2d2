package dev.patchops.rollout.quarantine;

import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import org.jboss.logging.Logger;

/** Carries out quarantines and releases; run by the rollout engine, so only on the leader. */
@ApplicationScoped
public class QuarantineEngine {
  private static final Logger LOG = Logger.getLogger(QuarantineEngine.class);

  @Inject QuarantineService quarantines;
  @Inject NodeOps nodes;

  public void pass() {
    for (String ticketId : quarantines.pending()) {
      NodeQuarantine q = quarantines.get(ticketId);
      if (q.nextAttemptAt != null && Instant.now().isBefore(q.nextAttemptAt)) {
        continue;
      }
      try {
        switch (q.state) {
          case REQUESTED -> {
            NodeOps.Before before = nodes.quarantine(q.nodeName, ticketId);
            if (before == null) {
              quarantines.failed(ticketId, "node " + q.nodeName + " not found; retrying");
            } else {
              quarantines.quarantined(ticketId, before.unschedulable(), before.taints());
            }
          }
          case RELEASING -> {
            nodes.release(q.nodeName, Boolean.TRUE.equals(q.previousUnschedulable));
            quarantines.released(ticketId);
          }
          default -> {}
        }
      } catch (KubernetesClientException e) {
        LOG.warnf("quarantine of %s: API refused (%s); retrying", q.nodeName, e.getMessage());
        quarantines.failed(ticketId, "API refused: " + e.getMessage());
      }
    }
  }
}
