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
    return tokenOf(namespace, serviceAccount, 3600L);
  }

  /** A token of {@code namespace/serviceAccount}, valid for {@code seconds}. */
  public static String tokenOf(String namespace, String serviceAccount, long seconds) {
    return admin()
        .serviceAccounts()
        .inNamespace(namespace)
        .withName(serviceAccount)
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(seconds)
                .endSpec()
                .build())
        .getStatus()
        .getToken();
  }

  /**
   * Fails unless {@code client} is authenticated as {@code namespace/serviceAccount} and is refused
   * what no PatchOps service may do (create a ClusterRole): the proof that a module's suite runs as
   * its service's ServiceAccount, not as the administrator.
   */
  public static void assertActsAs(
      KubernetesClient client, String namespace, String serviceAccount) {
    String user =
        client
            .authentication()
            .v1()
            .selfSubjectReviews()
            .create(new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview())
            .getStatus()
            .getUserInfo()
            .getUsername();
    String expected = "system:serviceaccount:" + namespace + ":" + serviceAccount;
    if (!expected.equals(user)) {
      throw new AssertionError("the service acts as " + user + ", not " + expected);
    }
    try {
      client
          .rbac()
          .clusterRoles()
          .resource(
              new io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder()
                  .withNewMetadata()
                  .withName("not-ours")
                  .endMetadata()
                  .build())
          .create();
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      if (e.getCode() == 403) {
        return;
      }
      throw new AssertionError("expected 403 creating a ClusterRole, got " + e.getCode(), e);
    }
    throw new AssertionError(user + " was allowed to create a ClusterRole");
  }
}
