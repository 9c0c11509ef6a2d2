package dev.patchops.orchestrator.run.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CRD in deploy/ is what fabric8's generator makes of the Java classes, so the two cannot
 * drift. {@code -Dpatchops.crd.write=true} rewrites it.
 */
public class PatchTestCrdTest {
  /** Where {@code kubectl apply -k deploy/kubernetes} finds it. */
  public static final Path COMMITTED =
      Path.of("..", "deploy", "kubernetes", "crds", PatchTest.CRD_NAME + "-v1.yml");

  @Test
  void theCommittedCrdIsTheGeneratedOne(@TempDir Path dir) throws IOException {
    new CRDGenerator()
        .inOutputDir(dir.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(PatchTest.class)
        .generate();
    String generated = inDeclaredColumnOrder(dir.resolve(COMMITTED.getFileName()));
    if (Boolean.getBoolean("patchops.crd.write")) {
      Files.writeString(COMMITTED, generated);
    }
    assertThat(Files.readString(COMMITTED))
        .as(
            "%s is stale; regenerate with ./mvnw -pl test-orchestrator test"
                + " -Dtest=PatchTestCrdTest -Dpatchops.crd.write=true",
            COMMITTED)
        .isEqualTo(generated);
  }

  /**
   * kubectl shows printer columns in the CRD's order, and the generator sorts them by JSON path,
   * which would put Age first: they are put back in the order the class declares them.
   */
  static String inDeclaredColumnOrder(Path generated) throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(generated), CustomResourceDefinition.class);
    List<String> declared =
        Arrays.stream(PatchTest.class.getAnnotationsByType(AdditionalPrinterColumn.class))
            .map(AdditionalPrinterColumn::name)
            .toList();
    for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
      version
          .getAdditionalPrinterColumns()
          .sort(Comparator.comparingInt(c -> declared.indexOf(c.getName())));
    }
    return "# Generated from dev.patchops.orchestrator.run.k8s.PatchTest by PatchTestCrdTest"
        + " (fabric8 CRDGenerator); do not edit.\n"
        + Serialization.asYaml(crd);
  }

  @Test
  void itIsNamespacedWithAStatusSubresourceAndTheColumnsKubectlShows() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
    assertThat(crd.getMetadata().getName()).isEqualTo("patchtests.patchops.dev");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("PatchTest");
    CustomResourceDefinitionVersion v1alpha1 = crd.getSpec().getVersions().get(0);
    assertThat(v1alpha1.getName()).isEqualTo("v1alpha1");
    assertThat(v1alpha1.getSubresources().getStatus()).isNotNull();
    assertThat(v1alpha1.getAdditionalPrinterColumns())
        .filteredOn(c -> c.getPriority() == null || c.getPriority() == 0)
        .extracting(
            CustomResourceColumnDefinition::getName, CustomResourceColumnDefinition::getJsonPath)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Ticket", ".spec.ticketId"),
            org.assertj.core.groups.Tuple.tuple("Revision", ".spec.revision"),
            org.assertj.core.groups.Tuple.tuple("Phase", ".status.phase"),
            org.assertj.core.groups.Tuple.tuple("Passed/Failed", ".status.results"),
            org.assertj.core.groups.Tuple.tuple("Age", ".metadata.creationTimestamp"));
    var status =
        v1alpha1.getSchema().getOpenAPIV3Schema().getProperties().get("status").getProperties();
    assertThat(status).containsKeys("conditions", "observedGeneration", "phase", "results");
    assertThat(status.get("conditions").getItems().getSchema().getProperties())
        .containsKeys(
            "type", "status", "reason", "message", "lastTransitionTime", "observedGeneration");
  }
}
