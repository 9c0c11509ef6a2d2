package dev.patchops.testing.kube;

import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The test code's side of {@link KubernetesControlPlane}: its administrator, and clients acting as
 * a ServiceAccount.
 */
public final class TestCluster {
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
      admin = fromKubeconfig(read(kubeconfig()));
    }
    return admin;
  }

  /**
   * A client that acts as {@code namespace/serviceAccount}, with a short-lived token from the
   * TokenRequest API: the real authorizer and admission decide what it may do.
   */
  public static KubernetesClient clientAs(String namespace, String serviceAccount) {
    Config config = Config.fromKubeconfig(read(kubeconfig()));
    config.setOauthToken(tokenOf(namespace, serviceAccount));
    return new KubernetesClientBuilder().withConfig(config).build();
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

  static KubernetesClient fromKubeconfig(String kubeconfig) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
