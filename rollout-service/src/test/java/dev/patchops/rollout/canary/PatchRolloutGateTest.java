package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.rollout.canary.k8s.RolloutResources;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The start gate on the kubectl path, on the real API server: an unapproved PatchRollout is refused
 * in its status and changes nothing, and the person of every kubectl action is the user the API
 * server authenticated, which nobody can claim for someone else.
 */
@QuarkusTest
@WithRolloutInfra
class PatchRolloutGateTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject RolloutResources resources;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  PatchRollout awaitPhase(String ns, String name, String phase) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              PatchRollout cr =
                  client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
              return cr != null && cr.getStatus() != null && phase.equals(cr.getStatus().phase);
            });
    return client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
  }

  static Condition condition(PatchRollout cr, String type) {
    return cr.getStatus().conditions.stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no condition " + type));
  }

  /** The {@code rollout.start-refused} events of {@code count} resources, by resource name. */
  static java.util.Map<String, JsonNode> refusals(KafkaProbe probe, int count) throws Exception {
    List<ConsumerRecord<String, byte[]>> refused =
        probe.collect(
            r ->
                EventType.ROLLOUT_START_REFUSED
                    .type()
                    .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
            count,
            WAIT);
    java.util.Map<String, JsonNode> byName = new java.util.HashMap<>();
    for (ConsumerRecord<String, byte[]> r : refused) {
      JsonNode event = RolloutFlowTest.json(r);
      byName.put(event.path("resourceName").asText(), event);
    }
    return byName;
  }

  @Test
  void anUnapprovedImageIsRefusedInTheStatusAndTheDeploymentIsUnchanged() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    String approved = Sandbox.image("", '1');
    String other = Sandbox.image("", '2');
    Approvals.approve("TCK-CR-swapped", 1, approved, ns, "checkout", "app");
    String user = TestCluster.ADMIN_USER;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      client
          .resources(PatchRollout.class)
          .inNamespace(ns)
          .resource(PatchRolloutResourceTest.resource(ns, "swapped", other, user, 10))
          .create();
      client
          .resources(PatchRollout.class)
          .inNamespace(ns)
          .resource(PatchRolloutResourceTest.resource(ns, "unapproved", approved, user, 10))
          .create();

      PatchRollout swapped = awaitPhase(ns, "swapped", "REFUSED");
      assertThat(swapped.getStatus().rolloutId).isNull();
      assertThat(condition(swapped, "Admitted").getStatus()).isEqualTo("False");
      assertThat(condition(swapped, "Admitted").getReason()).isEqualTo("ApprovedImage");
      assertThat(condition(swapped, "Admitted").getMessage())
          .contains("approved with image " + approved)
          .contains("not " + other);
      PatchRollout unapproved = awaitPhase(ns, "unapproved", "REFUSED");
      assertThat(condition(unapproved, "Admitted").getReason()).isEqualTo("Approval");
      assertThat(unapproved.getStatus().message)
          .contains("no approval of revision 1 of TCK-CR-unapproved");

      java.util.Map<String, JsonNode> refusals = refusals(probe, 2);
      assertThat(refusals).containsKeys("swapped", "unapproved");
      JsonNode event = refusals.get("swapped");
      assertThat(event.path("ticketId").asText()).isEqualTo("TCK-CR-swapped");
      assertThat(event.path("gate").asText()).isEqualTo("approved-image");
      assertThat(event.path("origin").asText()).isEqualTo("KUBECTL");
      assertThat(event.path("actor").asText()).isEqualTo(user);
      assertThat(event.path("image").asText()).isEqualTo(other);
      assertThat(event.path("workload").path("name").asText()).isEqualTo("checkout");
      assertThat(refusals.get("unapproved").path("gate").asText()).isEqualTo("approval");
    }
    // Nothing in the cluster moved: the Deployment is the very object it was, and no canary.
    Sandbox.assertCheckoutUnchanged(client, ns, before);
    assertThat(rollouts.byResource(ns, "swapped")).isNull();
    assertThat(rollouts.byResource(ns, "unapproved")).isNull();
  }

  /** A client of the test cluster's administrator acting as {@code user}. */
  static KubernetesClient as(String user) {
    return new KubernetesClientBuilder()
        .withConfig(
            new ConfigBuilder(TestCluster.admin().getConfiguration())
                .withImpersonateUsername(user)
                .withImpersonateGroups("system:authenticated")
                .build())
        .build();
  }

  /** The emergency role in {@code ns}: the deploy/ ClusterRole, bound to {@code user}. */
  static void grantEmergency(String ns, String user) {
    TestCluster.admin()
        .rbac()
        .roleBindings()
        .inNamespace(ns)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName("patchops-emergency-rollout-" + user)
                .endMetadata()
                .withNewRoleRef()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("ClusterRole")
                .withName("patchops-emergency-rollout")
                .endRoleRef()
                .addNewSubject()
                .withApiGroup("rbac.authorization.k8s.io")
                .withKind("User")
                .withName(user)
                .endSubject()
                .build())
        .create();
  }

  /** What a platform engineer may do with PatchRollouts in {@code ns}. */
  static void grantPatchRollouts(String ns, String... users) {
    KubernetesClient admin = TestCluster.admin();
    admin
        .rbac()
        .roles()
        .inNamespace(ns)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName("patchrollout-editor")
                .endMetadata()
                .withRules(
                    new PolicyRuleBuilder()
                        .withApiGroups("patchops.dev")
                        .withResources("patchrollouts")
                        .withVerbs("get", "list", "watch", "create", "update", "patch")
                        .build())
                .build())
        .create();
    for (String user : users) {
      admin
          .rbac()
          .roleBindings()
          .inNamespace(ns)
          .resource(
              new RoleBindingBuilder()
                  .withNewMetadata()
                  .withName("patchrollout-editor-" + user)
                  .endMetadata()
                  .withNewRoleRef()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("Role")
                  .withName("patchrollout-editor")
                  .endRoleRef()
                  .addNewSubject()
                  .withApiGroup("rbac.authorization.k8s.io")
                  .withKind("User")
                  .withName(user)
                  .endSubject()
                  .build())
          .create();
    }
  }

  /**
   * Around the gate with kubectl: only a holder of the emergency verb may set the reason, and
   * without a reason the start is refused; with both it starts, unapproved, as EMERGENCY.
   */
  @Test
  void theEmergencyPathOnKubectlNeedsTheRoleAndAReason() throws Exception {
    String ns = Sandbox.shop(client);
    grantPatchRollouts(ns, "alice", "olga");
    grantEmergency(ns, "olga");
    String image = Sandbox.image("", '4');
    try (KubernetesClient alice = as("alice");
        KubernetesClient olga = as("olga");
        KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      PatchRollout byAlice = PatchRolloutResourceTest.resource(ns, "hotfix", image, "alice", 10);
      byAlice.getMetadata().getAnnotations().put(RolloutResources.EMERGENCY_REASON, "it is down");
      assertThatThrownBy(
              () -> alice.resources(PatchRollout.class).inNamespace(ns).resource(byAlice).create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("alice may not start an emergency rollout");

      PatchRollout noReason = PatchRolloutResourceTest.resource(ns, "hotfix", image, "olga", 10);
      noReason.getMetadata().getAnnotations().put(RolloutResources.EMERGENCY_REASON, " ");
      olga.resources(PatchRollout.class).inNamespace(ns).resource(noReason).create();
      PatchRollout refused = awaitPhase(ns, "hotfix", "REFUSED");
      assertThat(condition(refused, "Admitted").getReason()).isEqualTo("EmergencyReason");
      assertThat(refusals(probe, 1).get("hotfix").path("origin").asText()).isEqualTo("EMERGENCY");

      olga.resources(PatchRollout.class)
          .inNamespace(ns)
          .withName("hotfix")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"annotations\":{\""
                  + RolloutResources.EMERGENCY_REASON
                  + "\":\"checkout down, INC-9\"}},\"spec\":{\"paused\":false}}");
      String id = awaitPhase(ns, "hotfix", "PROGRESSING").getStatus().rolloutId;
      Rollout started = rollouts.get(id);
      assertThat(started.origin).isEqualTo(RolloutOrigin.EMERGENCY);
      assertThat(started.startedBy).isEqualTo("olga");
      assertThat(started.emergencyReason).isEqualTo("checkout down, INC-9");
      olga.resources(PatchRollout.class)
          .inNamespace(ns)
          .withName("hotfix")
          .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"abort\":true}}");
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
    }
  }

  @Test
  void thePersonIsTheUserTheApiServerAuthenticatedAndNobodyCanClaimAnother() throws Exception {
    String ns = Sandbox.shop(client);
    grantPatchRollouts(ns, "alice", "bob");
    String image = Sandbox.image("", '3');
    Approvals.approve("TCK-CR-fix", 1, image, ns, "checkout", "app");
    try (KubernetesClient alice = as("alice");
        KubernetesClient bob = as("bob");
        KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      // Alice cannot start it in Bob's name: admission refuses, and nothing is created.
      assertThatThrownBy(
              () ->
                  alice
                      .resources(PatchRollout.class)
                      .inNamespace(ns)
                      .resource(PatchRolloutResourceTest.resource(ns, "fix", image, "bob", 10))
                      .create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining(
              "patchops.dev/requested-by must name the user making this request: alice");
      assertThat(client.resources(PatchRollout.class).inNamespace(ns).withName("fix").get())
          .isNull();

      alice
          .resources(PatchRollout.class)
          .inNamespace(ns)
          .resource(PatchRolloutResourceTest.resource(ns, "fix", image, "alice", 10))
          .create();
      String id = awaitPhase(ns, "fix", "PROGRESSING").getStatus().rolloutId;
      Rollout started = rollouts.get(id);
      assertThat(started.origin).isEqualTo(RolloutOrigin.KUBECTL);
      assertThat(started.startedBy).isEqualTo("alice");

      // Bob's abort that leaves Alice's name on the resource is refused by admission too.
      assertThatThrownBy(
              () ->
                  bob.resources(PatchRollout.class)
                      .inNamespace(ns)
                      .withName("fix")
                      .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"abort\":true}}"))
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining("must name the user making this request: bob");
      assertThat(rollouts.get(id).phase).isEqualTo(RolloutPhase.PROGRESSING);

      bob.resources(PatchRollout.class)
          .inNamespace(ns)
          .withName("fix")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"metadata\":{\"annotations\":{\""
                  + RolloutResources.REQUESTED_BY
                  + "\":\"bob\"}},\"spec\":{\"abort\":true}}");
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
      assertThat(rollouts.get(id).revertTrigger).isEqualTo(RevertTrigger.MANUAL_ABORT);
      assertThat(rollouts.get(id).revertReason).isEqualTo("aborted by bob");

      List<ConsumerRecord<String, byte[]>> events =
          RolloutFlowTest.eventsOf(probe, "TCK-CR-fix", EventType.REVERT_COMPLETED.type(), WAIT);
      assertThat(events).isNotEmpty();
      for (ConsumerRecord<String, byte[]> event : events) {
        JsonNode payload = RolloutFlowTest.json(event);
        assertThat(payload.path("rolloutId").asText()).isEqualTo(id);
        assertThat(payload.path("image").asText()).isEqualTo(image);
        assertThat(payload.path("origin").asText()).isEqualTo("KUBECTL");
        assertThat(payload.path("startedBy").asText()).isEqualTo("alice");
      }
      ConsumerRecord<String, byte[]> abort = KubectlTest.only(events, EventType.ROLLOUT_REVERTED);
      assertThat(KafkaProbe.header(abort, CloudEventHeaders.ACTOR)).isEqualTo("bob");
    }
  }
}
