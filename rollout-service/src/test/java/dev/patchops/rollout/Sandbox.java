package dev.patchops.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.rollout.canary.k8s.Labels;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.kube.KubeletFaults;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cluster of this module's tests: the simulated kubelet's failure switches, and a "production"
 * shop namespace per test so tests cannot see each other.
 */
public final class Sandbox {
  public static final String UNREADY = "-unready";
  public static final String CRASHLOOP = "-crashloop";
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private Sandbox() {}

  /**
   * The failure switches of this module's images, on the control plane's one simulated kubelet (the
   * CRDs come with the control plane). Set again before every test: another test may have lifted
   * them.
   */
  public static void start(KubernetesClient client) {
    KubeletFaults.open()
        .behave(UNREADY, SimulatedKubelet.Behavior.UNREADY)
        .behave(CRASHLOOP, SimulatedKubelet.Behavior.CRASHLOOP);
  }

  /** An image of the shop's checkout, pinned by digest; the variant picks its simulated fate. */
  public static String image(String variant, char digit) {
    return "registry.example/checkout" + variant + "@sha256:" + String.valueOf(digit).repeat(64);
  }

  public static final String STABLE_IMAGE = image("", 'a');

  /** A production namespace: checkout with 4 replicas, its config, its secret and its Service. */
  public static String shop(KubernetesClient client) {
    String ns = "shop-" + NAMESPACES.incrementAndGet();
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    // A target of rollout.target-namespaces (shop-*), bound as docs/deploy.md says.
    dev.patchops.sandbox.Manifests.manage(client, ns);
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("checkout-config")
                .endMetadata()
                .withData(Map.of("PAYMENT_TIMEOUT_MS", "800", "FEATURE_FAST_PAY", "off"))
                .build())
        .create();
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("checkout-db")
                .endMetadata()
                .withType("Opaque")
                .withData(Map.of("password", "c2VjcmV0LTE="))
                .build())
        .create();
    client
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("unrelated")
                .endMetadata()
                .withData(Map.of("x", "1"))
                .build())
        .create();
    Deployment checkout =
        new DeploymentBuilder()
            .withNewMetadata()
            .withName("checkout")
            .withNamespace(ns)
            .withLabels(Map.of("app", "checkout", "tier", "web"))
            .withAnnotations(Map.of("owner", "payments-team"))
            .endMetadata()
            .withNewSpec()
            .withReplicas(4)
            .withNewSelector()
            .withMatchLabels(Map.of("app", "checkout"))
            .endSelector()
            .withNewStrategy()
            .withType("RollingUpdate")
            .withNewRollingUpdate()
            .withNewMaxSurge("25%")
            .withNewMaxUnavailable(0)
            .endRollingUpdate()
            .endStrategy()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", "checkout", "tier", "web"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage(STABLE_IMAGE)
            .addNewEnv()
            .withName("DB_PASSWORD")
            .withNewValueFrom()
            .withNewSecretKeyRef("password", "checkout-db", false)
            .endValueFrom()
            .endEnv()
            .addNewEnvFrom()
            .withNewConfigMapRef("checkout-config", false)
            .endEnvFrom()
            .addNewPort()
            .withContainerPort(8080)
            .endPort()
            .endContainer()
            .addNewContainer()
            .withName("sidecar")
            .withImage("registry.example/envoy@sha256:" + "e".repeat(64))
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(ns).resource(checkout).create();
    client
        .services()
        .inNamespace(ns)
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("checkout")
                .endMetadata()
                .withNewSpec()
                .withSelector(Map.of("app", "checkout"))
                .addNewPort()
                .withPort(80)
                .withNewTargetPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
    return ns;
  }

  /**
   * Ends now the watch window of every rollout watching in {@code namespace}, or of every rollout
   * watching anywhere if null; returns how many. The tests run with a long window (an alert sent in
   * it must never race its end), so a test that needs the window over says when, as a clock would.
   */
  public static int endWatchWindows(String namespace) {
    try (var c = dev.patchops.testing.TestInfra.superuserConnection();
        var st =
            c.prepareStatement(
                "update rollout set watch_until = now(), version = version + 1"
                    + " where phase = 'WATCHING' and (? is null or namespace = ?)")) {
      st.setString(1, namespace);
      st.setString(2, namespace);
      return st.executeUpdate();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  public static void node(KubernetesClient client, String name) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewTaint()
                .withKey("dedicated")
                .withValue("db")
                .withEffect("NoSchedule")
                .endTaint()
                .endSpec()
                .build())
        .create();
  }

  /**
   * Nothing of a rollout's canary is left: no canary Deployment, no Pod or Service of the rollout.
   */
  /** The checkout Deployment once all its replicas run: from then on only a change moves it. */
  public static Deployment settledCheckout(KubernetesClient client, String ns) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(40))
        .until(
            () ->
                dev.patchops.rollout.canary.k8s.WorkloadOps.rolledOut(
                    client.apps().deployments().inNamespace(ns).withName("checkout").get()));
    return client.apps().deployments().inNamespace(ns).withName("checkout").get();
  }

  /** Nothing changed the checkout Deployment since {@code before}: same object, no canary. */
  public static void assertCheckoutUnchanged(
      KubernetesClient client, String ns, Deployment before) {
    Deployment after = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    assertThat(after.getMetadata().getGeneration()).isEqualTo(before.getMetadata().getGeneration());
    assertThat(after.getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(after.getSpec()).isEqualTo(before.getSpec());
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
        .isNull();
  }

  public static void assertNoCanaryLeft(KubernetesClient client, String ns, String rolloutId) {
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace(ns)
                .withLabel(Labels.TRACK, Labels.CANARY)
                .list()
                .getItems())
        .isEmpty();
    assertThat(client.pods().inNamespace(ns).withLabel(Labels.ROLLOUT, rolloutId).list().getItems())
        .isEmpty();
    assertThat(
            client
                .services()
                .inNamespace(ns)
                .withLabel(Labels.ROLLOUT, rolloutId)
                .list()
                .getItems())
        .isEmpty();
  }
}
