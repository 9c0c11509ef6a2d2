package dev.patchops.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.patchops.rollout.canary.k8s.PatchRollout;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The committed CRD is the one generated from the Java classes, and kubectl shows what matters. */
class RolloutCrdTest {
  static final Path COMMITTED = CommittedCrd.path("patchrollouts.patchops.dev-v1.yml");

  @Test
  void committedCrdMatchesTheClasses() throws IOException {
    CommittedCrd.assertMatches(
        PatchRollout.class, "patchrollouts.patchops.dev-v1.yml", "RolloutCrdTest");
  }

  @Test
  void crdHasPrinterColumnsStatusSubresourceAndControls() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getGroup()).isEqualTo("patchops.dev");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getSubresources().getStatus()).isNotNull();
    // kubectl shows them in this order: the declared one, not the generator's sort by JSON path.
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(
            CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(
            tuple("Ticket", ".spec.ticketId"),
            tuple("Target", ".status.target"),
            tuple("Phase", ".status.phase"),
            tuple("Step", ".status.step"),
            tuple("Weight", ".status.weight"),
            tuple("Checkpoint", ".status.checkpoint"),
            tuple("Age", ".metadata.creationTimestamp"));
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(CustomResourceColumnDefinition::getName)
        .containsExactlyElementsOf(DeclaredColumnOrder.columns(PatchRollout.class));
    var spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getProperties()).containsKeys("paused", "abort", "promote", "image");
    assertThat(spec.getRequired()).contains("ticketId", "deployment", "image");
    var status = version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
    assertThat(status.getProperties()).containsKeys("conditions", "observedGeneration");
  }
}
