package dev.patchops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;

/**
 * Namespace deletion on a real API server: a delete only marks the namespace Terminating; the
 * namespace controller then deletes its content, waits for its Pods to go, and removes it.
 */
public final class Namespaces {
  /** Ample for the namespace controller of the test cluster, with its simulated kubelet. */
  public static final Duration DELETION = Duration.ofSeconds(90);

  private Namespaces() {}

  /** {@code name} is gone or on its way: its deletion was requested. */
  public static void assertDeleting(KubernetesClient client, String name) {
    Namespace namespace = client.namespaces().withName(name).get();
    if (namespace != null) {
      assertThat(namespace.getMetadata().getDeletionTimestamp())
          .as("namespace %s is being deleted", name)
          .isNotNull();
    }
  }

  /** Asserts the deletion was requested, then waits until the namespace is gone. */
  public static void awaitDeleted(KubernetesClient client, String name) {
    assertDeleting(client, name);
    await()
        .atMost(DELETION)
        .pollInterval(Duration.ofMillis(250))
        .until(() -> client.namespaces().withName(name).get() == null);
  }
}
