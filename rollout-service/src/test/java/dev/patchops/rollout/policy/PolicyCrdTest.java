package dev.patchops.rollout.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.rollout.CommittedCrd;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed PatchRolloutPolicy CRD is the one generated from the classes, validation included.
 */
class PolicyCrdTest {
  static final Path COMMITTED = CommittedCrd.path("patchrolloutpolicies.patchops.dev-v1.yml");

  @Test
  void committedCrdMatchesTheClasses() throws IOException {
    CommittedCrd.assertMatches(
        PatchRolloutPolicy.class, "patchrolloutpolicies.patchops.dev-v1.yml", "PolicyCrdTest");
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
