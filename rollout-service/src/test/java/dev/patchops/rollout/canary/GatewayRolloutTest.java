package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.Labels;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gateway API mode: a canary Service and route weights, and the route put back on revert. */
@QuarkusTest
@WithRolloutInfra
class GatewayRolloutTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject RolloutStarts starts;
  @Inject dev.patchops.rollout.checkpoint.Checkpoints checkpoints;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
    installHttpRoutes(client);
  }

  /**
   * The Gateway API's HTTPRoute kind, as a cluster with a Gateway implementation has it. The test
   * needs its storage only (no gateway routes traffic here; what is checked is the weights the
   * service writes and the route put back), so its schema keeps the spec as written.
   */
  static void installHttpRoutes(KubernetesClient client) {
    String name = "httproutes.gateway.networking.k8s.io";
    var crds = client.apiextensions().v1().customResourceDefinitions();
    if (crds.withName(name).get() == null) {
      crds.resource(
              new CustomResourceDefinitionBuilder()
                  .withNewMetadata()
                  .withName(name)
                  // A *.k8s.io group is protected: the Gateway API's CRDs carry their approval.
                  .addToAnnotations(
                      "api-approved.kubernetes.io",
                      "https://github.com/kubernetes-sigs/gateway-api/pull/3328")
                  .endMetadata()
                  .withNewSpec()
                  .withGroup("gateway.networking.k8s.io")
                  .withScope("Namespaced")
                  .withNewNames()
                  .withKind("HTTPRoute")
                  .withListKind("HTTPRouteList")
                  .withPlural("httproutes")
                  .withSingular("httproute")
                  .endNames()
                  .addNewVersion()
                  .withName("v1")
                  .withServed(true)
                  .withStorage(true)
                  .withNewSchema()
                  .withNewOpenAPIV3Schema()
                  .withType("object")
                  .withXKubernetesPreserveUnknownFields(true)
                  .endOpenAPIV3Schema()
                  .endSchema()
                  .endVersion()
                  .endSpec()
                  .build())
          .create();
    }
    // Established, and its storage ready: the first requests may be refused while it initializes.
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () ->
                client
                        .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
                        .inAnyNamespace()
                        .list()
                        .getItems()
                    != null);
  }

  GenericKubernetesResource route(String ns) {
    GenericKubernetesResource route =
        new GenericKubernetesResourceBuilder()
            .withApiVersion("gateway.networking.k8s.io/v1")
            .withKind("HTTPRoute")
            .withNewMetadata()
            .withName("shop")
            .withNamespace(ns)
            .endMetadata()
            .build();
    route.setAdditionalProperty(
        "spec",
        Map.of(
            "parentRefs", List.of(Map.of("name", "public-gateway")),
            "rules",
                List.of(
                    Map.of(
                        "matches",
                            List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/pay"))),
                        "backendRefs", List.of(Map.of("name", "checkout", "port", 80))),
                    Map.of("backendRefs", List.of(Map.of("name", "catalog", "port", 80))))));
    return client
        .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
        .inNamespace(ns)
        .resource(route)
        .create();
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> refs(GenericKubernetesResource route, int rule) {
    var spec = (Map<String, Object>) route.getAdditionalProperties().get("spec");
    var rules = (List<Map<String, Object>>) spec.get("rules");
    return (List<Map<String, Object>>) rules.get(rule).get("backendRefs");
  }

  @Test
  void weightsMoveOnTheRouteAndTheRevertPutsTheRouteBack() {
    String ns = Sandbox.shop(client);
    GenericKubernetesResource before = route(ns);
    Object specBefore = Serialization.clone(before).getAdditionalProperties().get("spec");
    String id = "ro-gw-" + UUID.randomUUID().toString().substring(0, 8);
    Approvals.approve("TCK-GW", 1, Sandbox.image("", '9'), ns, "checkout", "app");
    starts.start(
        new RolloutStarts.StartRollout(
            id,
            "TCK-GW",
            1,
            Sandbox.image("", '9'),
            ns,
            "checkout",
            List.of("app"),
            List.of(new CanaryStep(20, 600)),
            "shop",
            AnalysisSpec.DEFAULTS,
            RolloutOrigin.REST,
            "sam",
            null,
            0,
            null));
    await()
        .atMost(WAIT)
        .until(() -> client.services().inNamespace(ns).withName("checkout-canary").get() != null);
    var canaryService = client.services().inNamespace(ns).withName("checkout-canary").get();
    assertThat(canaryService.getSpec().getSelector())
        .isEqualTo(Map.of(Labels.TRACK, Labels.CANARY, Labels.ROLLOUT, id));
    await()
        .atMost(WAIT)
        .until(
            () ->
                refs(
                            client
                                .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
                                .inNamespace(ns)
                                .withName("shop")
                                .get(),
                            0)
                        .size()
                    == 2);
    GenericKubernetesResource split =
        client
            .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
            .inNamespace(ns)
            .withName("shop")
            .get();
    assertThat(refs(split, 0))
        .extracting(r -> r.get("name") + ":" + r.get("weight"))
        .containsExactly("checkout:80", "checkout-canary:20");
    assertThat(refs(split, 1)).extracting(r -> r.get("name")).containsExactly("catalog");
    var canaryPods =
        client
            .apps()
            .deployments()
            .inNamespace(ns)
            .withName("checkout-canary")
            .get()
            .getSpec()
            .getTemplate()
            .getMetadata()
            .getLabels();
    // The stable Service selects app=checkout; canary Pods must not be behind it in this mode.
    assertThat(canaryPods).doesNotContainKey("app").containsEntry(Labels.TRACK, Labels.CANARY);

    rollouts.command(id, RolloutService.Command.ABORT, "sam");
    await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
    GenericKubernetesResource after =
        client
            .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
            .inNamespace(ns)
            .withName("shop")
            .get();
    com.fasterxml.jackson.databind.JsonNode restored =
        Serialization.jsonMapper().valueToTree(after.getAdditionalProperties().get("spec"));
    com.fasterxml.jackson.databind.JsonNode original =
        Serialization.jsonMapper().valueToTree(specBefore);
    assertThat(restored).isEqualTo(original);
    assertThat(client.services().inNamespace(ns).withName("checkout-canary").get()).isNull();
    assertThat(checkpoints.row(id).configHashes).containsKey("HTTPRoute/shop");
  }
}
