package dev.patchops.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What deploy/ exposes of each service: the API to the ingress, health and metrics on the
 * management port that the services listen on, and that port to the monitoring namespace only.
 */
class ExposureManifestTest {
  private static final List<HasMetadata> OBJECTS =
      Manifests.load(Manifests.deployDir().resolve("base"), Set.of("Deployment", "NetworkPolicy"));

  /** The port the packaged services serve health and metrics on, from their shared defaults. */
  static int managementPort() throws IOException {
    Properties defaults = new Properties();
    try (var in =
        Files.newInputStream(
            Manifests.deployDir()
                .resolve(
                    "../../platform/src/main/resources/META-INF/microprofile-config.properties")
                .normalize())) {
      defaults.load(in);
    }
    assertThat(defaults.getProperty("%prod.quarkus.management.enabled")).isEqualTo("true");
    return Integer.parseInt(defaults.getProperty("quarkus.management.port"));
  }

  static Stream<Container> containers() {
    return OBJECTS.stream()
        .filter(Deployment.class::isInstance)
        .map(Deployment.class::cast)
        .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream());
  }

  @Test
  void probesAndScrapesUseTheManagementPort() throws IOException {
    int management = managementPort();
    List<Deployment> deployments =
        OBJECTS.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).toList();
    assertThat(deployments).hasSizeGreaterThanOrEqualTo(5);
    for (Deployment deployment : deployments) {
      String name = deployment.getMetadata().getName();
      assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
          .as(name)
          .containsEntry("prometheus.io/port", String.valueOf(management));
      for (Container container : deployment.getSpec().getTemplate().getSpec().getContainers()) {
        assertThat(container.getPorts())
            .as(name)
            .extracting(ContainerPort::getName, ContainerPort::getContainerPort)
            .contains(org.assertj.core.groups.Tuple.tuple("management", management));
        for (Probe probe :
            List.of(
                container.getReadinessProbe(),
                container.getLivenessProbe(),
                container.getStartupProbe())) {
          assertThat(probe.getHttpGet().getPort().getStrVal()).as(name).isEqualTo("management");
        }
      }
    }
  }

  @Test
  void onlyTheMonitoringNamespaceReachesTheManagementPort() throws IOException {
    int management = managementPort();
    for (HasMetadata object : OBJECTS) {
      if (!(object instanceof NetworkPolicy policy) || policy.getSpec().getIngress() == null) {
        continue;
      }
      for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
        boolean opensManagement =
            rule.getPorts() == null
                || rule.getPorts().stream().anyMatch(p -> p.getPort().getIntVal() == management);
        if (!opensManagement) {
          continue;
        }
        assertThat(rule.getFrom())
            .as(policy.getMetadata().getName())
            .isNotEmpty()
            .allSatisfy(
                (NetworkPolicyPeer peer) -> {
                  assertThat(peer.getPodSelector()).isNull();
                  assertThat(peer.getNamespaceSelector().getMatchLabels())
                      .containsExactly(
                          java.util.Map.entry("kubernetes.io/metadata.name", "monitoring"));
                });
      }
    }
    assertThat(containers()).isNotEmpty();
  }
}
