package dev.patchops.sandbox;

import dev.patchops.devstack.Workspace;
import dev.patchops.devstack.kube.ControlPlane;
import dev.patchops.devstack.kube.KubeBinaries;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;

/** A control plane of this module's own tests, in a workspace of its own, and its administrator. */
final class TestPlane implements AutoCloseable {
  private final Workspace workspace;
  private final ControlPlane plane;
  private final KubernetesClient admin;

  private TestPlane() {
    workspace = Workspace.createTemporary();
    plane =
        ControlPlane.start(
            workspace.resolve("kube"),
            KubeBinaries.ensure(System.out::println),
            0,
            Duration.ofSeconds(120),
            line -> {});
    admin = client(null);
  }

  static TestPlane start() {
    return new TestPlane();
  }

  KubernetesClient admin() {
    return admin;
  }

  /** The administrator's kubeconfig, for a real kubectl. */
  java.nio.file.Path kubeconfig() {
    return plane.kubeconfig();
  }

  /** The administrator, or the administrator impersonating {@code user} in {@code groups}. */
  KubernetesClient client(String user, String... groups) {
    Config config = Kubeconfigs.config(plane.kubeconfig());
    if (user != null) {
      config.setImpersonateUsername(user);
      config.setImpersonateGroups(groups);
    }
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  @Override
  public void close() {
    admin.close();
    plane.close();
    workspace.delete();
  }
}
