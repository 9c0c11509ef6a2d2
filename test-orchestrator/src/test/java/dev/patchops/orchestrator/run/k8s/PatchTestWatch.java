package dev.patchops.orchestrator.run.k8s;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/** Records every phase a PatchTest passes through, as {@code kubectl get -w} would show them. */
public final class PatchTestWatch implements AutoCloseable {
  private final Map<String, List<String>> phases = new ConcurrentHashMap<>();
  private final Watch watch;

  private PatchTestWatch(KubernetesClient client, String namespace) {
    watch =
        client
            .resources(PatchTest.class)
            .inNamespace(namespace)
            .watch(
                new Watcher<>() {
                  @Override
                  public void eventReceived(Action action, PatchTest test) {
                    String phase = test.getStatus() == null ? null : test.getStatus().phase;
                    if (phase == null) {
                      return;
                    }
                    List<String> seen =
                        phases.computeIfAbsent(
                            test.getMetadata().getName(), n -> new ArrayList<>());
                    synchronized (seen) {
                      if (seen.isEmpty() || !Objects.equals(seen.get(seen.size() - 1), phase)) {
                        seen.add(phase);
                      }
                    }
                  }

                  @Override
                  public void onClose(WatcherException cause) {}
                });
  }

  public static PatchTestWatch start(KubernetesClient client, String namespace) {
    return new PatchTestWatch(client, namespace);
  }

  public List<String> phases(String name) {
    List<String> seen = phases.getOrDefault(name, List.of());
    synchronized (seen) {
      return List.copyOf(seen);
    }
  }

  @Override
  public void close() {
    watch.close();
  }
}
