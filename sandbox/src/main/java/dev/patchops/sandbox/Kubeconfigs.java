package dev.patchops.sandbox;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A fabric8 client from a kubeconfig file, for the one place each caller gets its cluster. */
public final class Kubeconfigs {
  private Kubeconfigs() {}

  public static Config config(Path kubeconfig) {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static KubernetesClient client(Path kubeconfig) {
    return new KubernetesClientBuilder().withConfig(config(kubeconfig)).build();
  }
}
