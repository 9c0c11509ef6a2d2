package dev.patchops.rollout.rollout.k8s;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * A watch on the Deployments of each namespace that has an active rollout, so a canary becoming
 * ready, or a promoted Deployment finishing its rollout, wakes the engine when it happens instead
 * of at its next tick. The engine still reads and decides on every pass: a watch that is refused or
 * drops costs latency, never a decision. Only namespaces with a rollout are watched, so the service
 * holds no cache of the cluster's Deployments.
 */
@ApplicationScoped
public class WorkloadWatches {
  private static final Logger LOG = Logger.getLogger(WorkloadWatches.class);

  @Inject KubernetesClient client;

  private final Map<String, Watch> watches = new ConcurrentHashMap<>();

  /** Watches exactly these namespaces from now on. */
  public void retain(Set<String> namespaces, Runnable wake) {
    watches
        .entrySet()
        .removeIf(
            e -> {
              if (namespaces.contains(e.getKey())) {
                return false;
              }
              e.getValue().close();
              return true;
            });
    for (String ns : namespaces) {
      watches.computeIfAbsent(ns, n -> open(n, wake));
    }
    watches.values().removeIf(w -> w == CLOSED);
  }

  private static final Watch CLOSED = () -> {};

  private Watch open(String namespace, Runnable wake) {
    try {
      return client
          .apps()
          .deployments()
          .inNamespace(namespace)
          .watch(
              new Watcher<Deployment>() {
                @Override
                public void eventReceived(Action action, Deployment resource) {
                  wake.run();
                }

                @Override
                public void onClose(WatcherException cause) {
                  // Opened again on the next pass that still needs it.
                  watches.remove(namespace);
                  wake.run();
                }
              });
    } catch (KubernetesClientException e) {
      LOG.debugf("no watch on %s (%s): the engine's tick only", namespace, e.getMessage());
      return CLOSED;
    }
  }

  public void closeAll() {
    watches.values().forEach(Watch::close);
    watches.clear();
  }
}
