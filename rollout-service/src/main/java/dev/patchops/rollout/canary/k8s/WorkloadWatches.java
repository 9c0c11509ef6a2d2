package dev.patchops.rollout.canary.k8s;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
  private static final Duration RETRY_REFUSED = Duration.ofSeconds(60);

  @Inject KubernetesClient client;

  private final Map<String, Watch> watches = new ConcurrentHashMap<>();
  private final Map<String, Instant> refusedUntil = new ConcurrentHashMap<>();
  private final Set<String> opening = ConcurrentHashMap.newKeySet();

  /**
   * Opening a watch waits, without limit, until the API server has answered: never on the engine
   * thread, which must go on reverting while the API server is slow.
   */
  private final ExecutorService opener =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "workload-watch-opener");
            t.setDaemon(true);
            return t;
          });

  /**
   * Watches exactly these namespaces from now on (a new watch opens in the background); called by
   * the engine thread only.
   */
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
      if (!watches.containsKey(ns)
          && !refusedUntil.getOrDefault(ns, Instant.EPOCH).isAfter(Instant.now())
          && opening.add(ns)) {
        // A watch opened after its namespace was dropped is closed by the next call.
        opener.execute(
            () -> {
              try {
                open(ns, wake);
              } finally {
                opening.remove(ns);
              }
            });
      }
    }
  }

  private void open(String namespace, Runnable wake) {
    Watch[] opened = new Watch[1];
    try {
      opened[0] =
          client
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
                      if (opened[0] != null) {
                        watches.remove(namespace, opened[0]);
                      }
                      wake.run();
                    }
                  });
      watches.put(namespace, opened[0]);
      refusedUntil.remove(namespace);
    } catch (RuntimeException e) {
      // A Role without watch (not re-applied after an upgrade) costs latency, not decisions.
      if (refusedUntil.put(namespace, Instant.now().plus(RETRY_REFUSED)) == null) {
        LOG.warnf(
            "no watch on Deployments in %s (%s): the engine ticks there; retried every %d s",
            namespace, e.getMessage(), RETRY_REFUSED.toSeconds());
      }
    }
  }

  public void closeAll() {
    watches.values().forEach(Watch::close);
    watches.clear();
  }
}
