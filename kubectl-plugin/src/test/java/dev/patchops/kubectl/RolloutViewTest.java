package dev.patchops.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutViewTest {
  static GenericKubernetesResource rollout(String phase, String step, String extraStatus) {
    return Serialization.unmarshal(
        """
        apiVersion: patchops.dev/v1alpha1
        kind: PatchRollout
        metadata: {name: checkout-r2-ab, namespace: shop}
        spec:
          ticketId: TCK-1
          revision: 2
          deployment: checkout
          containers: [app]
          image: registry.example/checkout@sha256:%s
          steps: [{weight: 10, pauseSeconds: 60}, {weight: 50, pauseSeconds: 60}, {weight: 80, pauseSeconds: 0}]
        status:
          phase: %s
          step: "%s"
          weight: 50
          checkpoint: 0123456789ab
          %s
        """
            .formatted("7".repeat(64), phase, step, extraStatus),
        GenericKubernetesResource.class);
  }

  @Test
  void aCanaryStepHeldByItsPausedConditionShowsAsPaused() {
    assertThat(
            RolloutView.phase(
                rollout("PROGRESSING", "1/3", "conditions: [{type: Paused, status: \"True\"}]")))
        .isEqualTo("Paused");
    assertThat(
            RolloutView.phase(
                rollout("PROGRESSING", "1/3", "conditions: [{type: Paused, status: \"False\"}]")))
        .isEqualTo("PROGRESSING");
    assertThat(
            RolloutView.phase(
                rollout("REVERTED", "1/3", "conditions: [{type: Paused, status: \"True\"}]")))
        .isEqualTo("REVERTED");
  }

  static GenericKubernetesResource ready(int replicas) {
    return Serialization.unmarshal(
        "{\"apiVersion\": \"apps/v1\", \"kind\": \"Deployment\", \"status\": {\"readyReplicas\": "
            + replicas
            + "}}",
        GenericKubernetesResource.class);
  }

  @Test
  void aProgressingStepShowsItsLiveWeightAndTheOthersTheirState() {
    var steps = RolloutView.steps(rollout("PROGRESSING", "2/3", ""), 33);
    assertThat(steps)
        .extracting(RolloutView.StepLine::state)
        .containsExactly("Passed", "Progressing", "Pending");
    assertThat(steps).extracting(RolloutView.StepLine::actual).containsExactly(null, 33, null);
    assertThat(steps)
        .extracting(RolloutView.StepLine::analysis)
        .containsExactly("passed", "running", "-");
  }

  @Test
  void aRevertNamesItsTriggerAtTheStepItStopped() {
    var r =
        rollout(
            "REVERTED",
            "2/3",
            "conditions: [{type: Reverted, status: \"True\", reason: ManualAbort, message: aborted by kubectl}]");
    var steps = RolloutView.steps(r, 0);
    assertThat(steps)
        .extracting(RolloutView.StepLine::state)
        .containsExactly("Passed", "Reverted", "Cancelled");
    assertThat(steps.get(1).analysis()).isEqualTo("failed: ManualAbort (aborted by kubectl)");
    assertThat(Tables.outcome(r))
        .isEqualTo("reverted to 0123456789ab (ManualAbort: aborted by kubectl)");
    assertThat(RolloutView.render(r, 0))
        .contains("Checkpoint:  0123456789ab")
        .contains("✖ REVERTED");
  }

  @Test
  void actualWeightIsTheCanarysShareOfReadyReplicas() {
    var r = rollout("PROGRESSING", "1/3", "");
    assertThat(RolloutView.actualWeight(r, ready(4), ready(2), null)).isEqualTo(33);
    assertThat(RolloutView.actualWeight(r, ready(4), null, null)).isZero();
    assertThat(RolloutView.actualWeight(r, null, null, null)).isNull();
  }

  @Test
  void inGatewayModeTheRouteWeightsCount() {
    var r = rollout("PROGRESSING", "1/3", "");
    ((Map<String, Object>) r.getAdditionalProperties().get("spec")).put("httpRoute", "shop");
    GenericKubernetesResource route =
        Serialization.unmarshal(
            """
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: shop}
            spec:
              rules:
              - backendRefs: [{name: checkout, weight: 90}, {name: checkout-canary, weight: 10}]
            """,
            GenericKubernetesResource.class);
    assertThat(RolloutView.actualWeight(r, ready(4), ready(4), route)).isEqualTo(10);
  }

  @Test
  void controlsPatchOneSpecFieldAndRefuseEndedRollouts() {
    String by = "{\"metadata\":{\"annotations\":{\"patchops.dev/requested-by\":\"bob\"}},";
    assertThat(Controls.patch(Controls.Verb.PROMOTE, rollout("PROGRESSING", "2/3", ""), "bob"))
        .isEqualTo(by + "\"spec\":{\"promote\":\"step-2\"}}");
    assertThat(
            Controls.patch(
                Controls.Verb.PROMOTE_FULL,
                rollout("PROGRESSING", "1/3", "conditions: [{type: Paused, status: \"True\"}]"),
                "bob"))
        .isEqualTo(by + "\"spec\":{\"promote\":\"full\"}}");
    assertThat(Controls.patch(Controls.Verb.ABORT, rollout("WATCHING", "3/3", ""), "bob"))
        .isEqualTo(by + "\"spec\":{\"abort\":true}}");
    assertThatThrownBy(
            () -> Controls.patch(Controls.Verb.ABORT, rollout("REVERTED", "2/3", ""), "bob"))
        .hasMessage(
            "error: patchrollout.patchops.dev/checkout-r2-ab is REVERTED: nothing to abort");
    assertThatThrownBy(
            () -> Controls.patch(Controls.Verb.PROMOTE, rollout("WATCHING", "3/3", ""), "bob"))
        .hasMessageContaining("only a canary step can be promoted");

    var retry = Controls.retryOf(rollout("REVERTED", "2/3", ""), "bob");
    assertThat(retry.getMetadata().getGenerateName()).isEqualTo("checkout-r2-ab-retry-");
    assertThat(retry.getMetadata().getAnnotations())
        .containsEntry(Controls.RETRY_OF, "checkout-r2-ab")
        .containsEntry(Controls.REQUESTED_BY, "bob");
    assertThat(retry.getAdditionalProperties()).containsKey("spec").doesNotContainKey("status");
    assertThatThrownBy(() -> Controls.retryOf(rollout("PROGRESSING", "1/3", ""), "bob"))
        .hasMessageContaining("only an ended rollout");
  }

  @Test
  void aFailedTestListsItsFailuresWithTheirMessages() {
    GenericKubernetesResource t =
        Serialization.unmarshal(
            """
            apiVersion: patchops.dev/v1alpha1
            kind: PatchTest
            metadata: {name: t, namespace: shop}
            spec: {ticketId: TCK-1, revision: 1, attempt: 1, environmentNamespace: mirror-1, suites: [smoke]}
            status:
              phase: Failed
              passed: 3
              failed: 1
              message: "shop.CheckoutIT.refundsAfterCapture: expected 200 but was 502"
              conditions:
              - {type: Complete, status: "True", reason: Failed, message: "1 of 4 failed"}
              - {type: MirrorReady, status: "True", reason: Ready, message: "mirror ready"}
            """,
            GenericKubernetesResource.class);
    assertThat(TestView.failures(t))
        .containsExactly(
            "shop.CheckoutIT.refundsAfterCapture: expected 200 but was 502",
            "Complete: 1 of 4 failed");
    assertThat(TestView.render(t))
        .contains("Phase:       Failed  passed 3, failed 1")
        .contains("└── ✖ Complete: 1 of 4 failed");
  }
}
