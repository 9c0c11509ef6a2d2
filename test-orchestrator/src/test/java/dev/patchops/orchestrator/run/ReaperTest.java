package dev.patchops.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.orchestrator.Namespaces;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.orchestrator.run.k8s.PatchTestSpec;
import dev.patchops.orchestrator.run.k8s.PatchTests;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** What a crashed orchestrator leaves behind is deleted once it expires, by a fresh instance. */
@QuarkusTest
@WithOrchestratorInfra
class ReaperTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject Reaper reaper;
  @Inject PatchTests patchTests;
  @Inject OrchestratorConfig config;

  private String leftOver(Instant expiresAt) {
    String ns = "pt-crashed-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, String> labels =
        Map.of(
            MirrorNames.MANAGED_BY,
            MirrorNames.MANAGED_BY_VALUE,
            MirrorNames.RUN,
            "unknown-run-" + ns,
            MirrorNames.EXPIRES_AT,
            String.valueOf(expiresAt.getEpochSecond()));
    client
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("app-config")
                .withNamespace(ns)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return ns;
  }

  @Test
  void expiredMirrorsAreDeletedWithTheirObjectsAndLiveOnesAndOthersAreLeftAlone() {
    Instant now = Instant.now();
    String expired = leftOver(now.minusSeconds(60));
    String live = leftOver(now.plusSeconds(3600));
    String unmanaged = "team-" + UUID.randomUUID().toString().substring(0, 6);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(unmanaged).endMetadata().build())
        .create();

    assertThat(reaper.reap(now)).contains(expired).doesNotContain(live, unmanaged);
    // Its objects go at once; the namespace is Terminating until its controller is done, and a
    // reaper that comes by meanwhile leaves it to that.
    assertThat(client.configMaps().inNamespace(expired).withName("app-config").get()).isNull();
    assertThat(reaper.reap(now)).doesNotContain(expired);
    Namespaces.awaitDeleted(client, expired);
    assertThat(client.configMaps().inNamespace(expired).list().getItems()).isEmpty();
    assertThat(client.namespaces().withName(live).get()).isNotNull();
    assertThat(client.namespaces().withName(live).get().getMetadata().getDeletionTimestamp())
        .isNull();
    assertThat(client.configMaps().inNamespace(live).withName("app-config").get()).isNotNull();
    assertThat(client.namespaces().withName(unmanaged).get()).isNotNull();
  }

  @Test
  void patchTestsOutliveTheirEnvironmentUntilTheirRetention() {
    String name = "pt-old-" + UUID.randomUUID().toString().substring(0, 6);
    PatchTest test = new PatchTest();
    test.getMetadata().setName(name);
    test.getMetadata().setNamespace(patchTests.namespace());
    test.getMetadata().setLabels(Map.of(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE));
    PatchTestSpec spec = new PatchTestSpec();
    spec.runId = name;
    spec.ticketId = "T-1";
    spec.environmentNamespace = name;
    test.setSpec(spec);
    client.resource(test).create();

    assertThat(reaper.reapPatchTests(Instant.now())).doesNotContain(name);
    assertThat(reaper.reapPatchTests(Instant.now().plus(config.patchTests().retention())))
        .contains(name);
    assertThat(
            client
                .resources(PatchTest.class)
                .inNamespace(patchTests.namespace())
                .withName(name)
                .get())
        .isNull();
  }
}
