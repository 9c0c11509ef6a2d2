package dev.patchops.localstack;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/** The sandbox cluster's "production": a small shop, and the kubelet that makes it run. */
final class Sandbox {
  static final String NAMESPACE = "shop";

  private Sandbox() {}

  static String image(String name) {
    String digest = Integer.toHexString(name.hashCode()).repeat(8);
    return "registry.example/shop/"
        + name
        + "@sha256:"
        + (digest + "0".repeat(64)).substring(0, 64);
  }

  /** checkout, catalog and payments, each with its Service, configuration and credentials. */
  static void seedShop(KubernetesClient client) {
    if (client.namespaces().withName(NAMESPACE).get() != null) {
      return;
    }
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    for (String app : new String[] {"checkout", "catalog", "payments"}) {
      seedApp(client, app);
    }
  }

  /**
   * One app of the shop: its Deployment, Service, configuration and credentials. Tests add apps of
   * their own, so that a story never waits on another story's ticket.
   */
  static void seedApp(KubernetesClient client, String app) {
    client
        .configMaps()
        .inNamespace(NAMESPACE)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName(app + "-config")
                .endMetadata()
                .withData(
                    Map.of("LOG_LEVEL", "info", "UPSTREAM", "http://catalog." + NAMESPACE + ".svc"))
                .build())
        .create();
    client
        .secrets()
        .inNamespace(NAMESPACE)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(app + "-db")
                .endMetadata()
                .withType("Opaque")
                .withData(
                    Map.of(
                        "password",
                        Base64.getEncoder()
                            .encodeToString((app + "-secret").getBytes(StandardCharsets.UTF_8))))
                .build())
        .create();
    client
        .apps()
        .deployments()
        .inNamespace(NAMESPACE)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName(app)
                .withLabels(Map.of("app", app))
                .endMetadata()
                .withNewSpec()
                .withReplicas(3)
                .withNewSelector()
                .withMatchLabels(Map.of("app", app))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(Map.of("app", app))
                .endMetadata()
                .withNewSpec()
                // As a shop that passes the restricted Pod Security profile deploys it.
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(10001L)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("app")
                .withImage(image(app))
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withReadOnlyRootFilesystem(true)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .addNewEnvFrom()
                .withNewConfigMapRef(app + "-config", false)
                .endEnvFrom()
                .addNewEnv()
                .withName("DB_PASSWORD")
                .withNewValueFrom()
                .withNewSecretKeyRef("password", app + "-db", false)
                .endValueFrom()
                .endEnv()
                .addNewPort()
                .withContainerPort(8080)
                .endPort()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    client
        .services()
        .inNamespace(NAMESPACE)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName(app)
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", app))
                .addNewPort()
                .withPort(80)
                .withNewTargetPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
  }
}
