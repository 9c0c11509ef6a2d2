package dev.patchops.testing.kube;

import dev.patchops.sandbox.Kubeconfigs;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;

/**
 * The test code's side of {@link KubernetesControlPlane}: its administrator, and clients acting as
 * a ServiceAccount.
 */
public final class TestCluster {
  /** The user {@link #admin()} acts as: what the admission policy wants in requested-by. */
  public static final String ADMIN_USER = dev.patchops.devstack.kube.ControlPlane.ADMIN;

  private static KubernetesClient admin;

  private TestCluster() {}

  public static Path kubeconfig() {
    String path = System.getProperty(KubernetesControlPlane.KUBECONFIG_PROPERTY);
    if (path == null) {
      throw new IllegalStateException("no control plane: the test class lacks its module's infra");
    }
    return Path.of(path);
  }

  public static synchronized KubernetesClient admin() {
    if (admin == null) {
      admin = Kubeconfigs.client(kubeconfig());
    }
    return admin;
  }

  /** A token of {@code namespace/serviceAccount}, valid for an hour. */
  public static String tokenOf(String namespace, String serviceAccount) {
    return admin()
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(serviceAccount)
        .tokenRequest(
            new TokenRequestBuilder().withNewSpec().withExpirationSeconds(3600L).endSpec().build())
        .getStatus()
        .getToken();
  }
}
