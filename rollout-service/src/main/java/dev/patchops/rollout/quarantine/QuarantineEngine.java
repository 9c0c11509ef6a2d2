package dev.patchops.rollout.quarantine;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Carries out quarantines, drains and releases, and keeps quarantines in place; run by the rollout
 * engine, so only on the leader.
 *
 * <p>A quarantined node uncordoned or untainted outside PatchOps (a {@code kubectl uncordon}) is
 * seen by a watch on the nodes, recorded, and quarantined again: a node under investigation must
 * not take workloads because someone forgot why it was cordoned. The way out is the release (a
 * passing burn-in, or the assignee's plan-B release), which the trail names.
 */
@ApplicationScoped
public class QuarantineEngine {
  private static final Logger LOG = Logger.getLogger(QuarantineEngine.class);

  /** The informer's resync: a breach missed while this replica was not the leader is found. */
  private static final long RESYNC_MS = 60_000;

  @Inject QuarantineService quarantines;
  @Inject NodeOps nodes;
  @Inject NodeDrain drain;
  @Inject KubernetesClient client;

  /** Nodes seen changed so that a quarantine on them may be breached; checked on the next pass. */
  private final Set<String> suspects = ConcurrentHashMap.newKeySet();

  /** The nodes whose quarantine is held (draining or quarantined), as of the last pass. */
  private volatile Set<String> held = Set.of();

  private volatile SharedIndexInformer<Node> watch;

  public void pass(Runnable wake) {
    held = quarantines.heldNodes();
    try {
      watchNodes(wake);
    } catch (KubernetesClientException e) {
      // The quarantines themselves still proceed; the watch is tried again on the next pass.
      LOG.warnf("node watch not started (%s); retrying", e.getMessage());
    }
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
              quarantines.cordoned(ticketId, before.unschedulable(), before.taints());
            }
          }
          case DRAINING -> quarantines.drainPass(ticketId, drain.drain(q.nodeName));
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
    held = quarantines.heldNodes();
    checkSuspects();
  }

  private void checkSuspects() {
    for (String nodeName : Set.copyOf(suspects)) {
      suspects.remove(nodeName);
      for (String ticketId : quarantines.holding(nodeName)) {
        try {
          Node node = nodes.get(nodeName);
          String observed = node == null ? null : NodeOps.breach(node);
          if (observed == null) {
            continue;
          }
          nodes.reapply(nodeName, ticketId);
          quarantines.breached(ticketId, observed, NodeOps.lastSpecWriter(node));
          LOG.warnf("quarantine of %s breached (%s); re-applied", nodeName, observed);
        } catch (KubernetesClientException e) {
          LOG.warnf("quarantine of %s breached; re-apply refused (%s)", nodeName, e.getMessage());
          suspects.add(nodeName);
        }
      }
    }
  }

  /** Started once, on the first pass (so on the leader); a changed node wakes the engine. */
  private void watchNodes(Runnable wake) {
    if (watch != null) {
      return;
    }
    synchronized (this) {
      if (watch != null) {
        return;
      }
      watch =
          client
              .nodes()
              .inform(
                  new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(Node node) {
                      suspect(node, wake);
                    }

                    @Override
                    public void onUpdate(Node before, Node node) {
                      suspect(node, wake);
                    }

                    @Override
                    public void onDelete(Node node, boolean unknown) {}
                  },
                  RESYNC_MS);
    }
  }

  /**
   * Cheap and in memory, since every node's every update comes here: only a held node that looks
   * breached is checked against the database.
   */
  private void suspect(Node node, Runnable wake) {
    String name = node.getMetadata().getName();
    if (held.contains(name) && NodeOps.breach(node) != null && suspects.add(name)) {
      wake.run();
    }
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (watch != null) {
      watch.close();
    }
  }
}
