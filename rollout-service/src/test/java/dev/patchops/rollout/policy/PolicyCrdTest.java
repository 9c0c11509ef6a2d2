package dev.patchops.rollout.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.rollout.DeclaredColumnOrder;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed PatchRolloutPolicy CRD is the one generated from the classes, validation included.
 */
class PolicyCrdTest {
  static final Path COMMITTED =
      Path.of("../deploy/kubernetes/crds/patchrolloutpolicies.patchops.dev-v1.yml");

  static String generate() throws IOException {
    File dir = Files.createTempDirectory("crd").toFile();
    new CRDGenerator()
        .inOutputDir(dir)
        .forCRDVersions("v1")
        .withPostProcessor(new DeclaredColumnOrder(PatchRolloutPolicy.class))
        .customResourceClasses(PatchRolloutPolicy.class)
        .generate();
    return Files.readString(dir.toPath().resolve("patchrolloutpolicies.patchops.dev-v1.yml"));
  }

  @Test
  void committedCrdMatchesTheClasses() throws IOException {
    String generated = generate();
    if (Boolean.getBoolean("patchops.crd.write")) {
      Files.writeString(COMMITTED, generated);
    }
    assertThat(COMMITTED)
        .as(
            "regenerate with ./mvnw -pl rollout-service test -Dtest=PolicyCrdTest -Dpatchops.crd.write=true")
        .hasContent(generated);
    assertThat(Files.readString(Path.of("../deploy/kubernetes/crds/kustomization.yaml")))
        .contains("patchrolloutpolicies.patchops.dev-v1.yml");
  }

  @Test
  void schemaCarriesEnumsRangesAndRules() throws IOException {
    CustomResourceDefinition crd =
        Serialization.unmarshal(Files.readString(COMMITTED), CustomResourceDefinition.class);
    assertThat(crd.getSpec().getGroup()).isEqualTo("patchops.dev");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    var version = crd.getSpec().getVersions().get(0);
    assertThat(version.getSubresources().getStatus()).isNotNull();
    JSONSchemaProps spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    JSONSchemaProps traffic = spec.getProperties().get("traffic");
    assertThat(traffic.getProperties().get("mode").getEnum())
        .extracting(Object::toString)
        .map(s -> s.replace("\"", ""))
        .containsExactlyInAnyOrder("replicas", "gatewayAPI");
    assertThat(traffic.getXKubernetesValidations()).hasSize(2);
    JSONSchemaProps step = spec.getProperties().get("steps").getItems().getSchema();
    assertThat(step.getProperties().get("weight").getMinimum()).isEqualTo(1.0);
    assertThat(step.getProperties().get("weight").getMaximum()).isEqualTo(100.0);
    assertThat(spec.getProperties().get("revertSeverities").getItems().getSchema().getEnum())
        .hasSize(4);
    assertThat(spec.getXKubernetesValidations()).hasSize(1);
    JSONSchemaProps status = version.getSchema().getOpenAPIV3Schema().getProperties().get("status");
    assertThat(status.getProperties()).containsKeys("conditions", "observedGeneration");
  }
}
