package dev.patchops.rollout.canary;

import static dev.patchops.rollout.canary.RolloutFlowTest.json;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Honest weights and soak time on the real control plane: a plan the workload cannot honour is
 * refused on every path before anything changes, each step runs (and reports) the share it really
 * has, and a step's pause counts from the moment its Pods are ready.
 */
@QuarkusTest
@WithRolloutInfra
class HonestWeightsTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final String REFUSAL =
      "step 1 asks for 10 % on 1 replica without a traffic route; the closest achievable canary"
          + " share is 20 % (1 canary beside 4 stable), more than 5 percentage points away";

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  /** The shop, its checkout scaled down to one replica and settled. */
  Deployment oneReplicaShop(String ns) {
    // A merge patch of the count alone: the Deployment controller writes the object meanwhile.
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("checkout")
        .patch(
            io.fabric8.kubernetes.client.dsl.base.PatchContext.of(
                io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE),
            "{\"spec\":{\"replicas\":1}}");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              Deployment d = client.apps().deployments().inNamespace(ns).withName("checkout").get();
              return d.getStatus() != null
                  && d.getStatus().getReplicas() != null
                  && d.getStatus().getReplicas() == 1;
            });
    return Sandbox.settledCheckout(client, ns);
  }

  static JsonNode startRefused(KafkaProbe probe, String ticketId) throws Exception {
    List<ConsumerRecord<String, byte[]>> found =
        probe.collect(
            r ->
                EventType.ROLLOUT_START_REFUSED
                        .type()
                        .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                    && ticketId.equals(r.key()),
            1,
            WAIT);
    assertThat(found).as("rollout.start-refused of %s", ticketId).hasSize(1);
    return json(found.get(0));
  }

  @Test
  void aRestStartWhoseStepCannotBeHonouredIsRefusedAndRecorded() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = oneReplicaShop(ns);
    String ticketId = RolloutFlowTest.ticket();
    String body =
        """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":10,"pauseSeconds":60},{"weight":50,"pauseSeconds":60}]}
        """
            .formatted(ticketId, Sandbox.image("", '1'), ns);
    Approvals.approveRequest(body);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      given()
          .header("Authorization", TestInfra.bearer("sam", "sre"))
          .contentType("application/json")
          .body(body)
          .post("/api/v1/rollouts")
          .then()
          .statusCode(422)
          .contentType(containsString("application/problem+json"))
          .body("type", equalTo("https://patchops.dev/problems/start-refused/canary-weight"))
          .body("detail", containsString(REFUSAL))
          .body("violations.field", hasItem("steps"));
      JsonNode event = startRefused(probe, ticketId);
      assertThat(event.path("gate").asText()).isEqualTo("canary-weight");
      assertThat(event.path("reason").asText()).contains(REFUSAL);
      assertThat(event.path("origin").asText()).isEqualTo("REST");
    }
    Sandbox.assertCheckoutUnchanged(client, ns, before);
    assertThat(rollouts.activeFor(ns, "checkout")).isEmpty();
  }

  @Test
  void anApprovalWhoseStepCannotBeHonouredEndsRefusedAndChangesNothing() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = oneReplicaShop(ns);
    String ticketId = RolloutFlowTest.ticket();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id =
          RolloutFlowTest.approve(
              ns, ticketId, 1, Sandbox.image("", '2'), List.of(new CanaryStep(10, 60)));
      await()
          .atMost(WAIT)
          .until(() -> rollouts.get(id) != null && rollouts.get(id).phase == RolloutPhase.REFUSED);
      assertThat(rollouts.get(id).message).contains("canary-weight: " + REFUSAL);
      JsonNode event = startRefused(probe, ticketId);
      assertThat(event.path("gate").asText()).isEqualTo("canary-weight");
      assertThat(event.path("origin").asText()).isEqualTo("APPROVAL");
    }
    Sandbox.assertCheckoutUnchanged(client, ns, before);
  }

  @Test
  void aPatchRolloutWhoseStepCannotBeHonouredIsRefusedInItsStatus() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = oneReplicaShop(ns);
    String name = "weights-" + ns;
    String image = Sandbox.image("", '3');
    Approvals.approve("TCK-CR-" + name, 1, image, ns, "checkout", "app");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      client
          .resources(PatchRollout.class)
          .inNamespace(ns)
          .resource(
              PatchRolloutResourceTest.resource(ns, name, image, TestCluster.ADMIN_USER, 10, 50))
          .create();
      await()
          .atMost(WAIT)
          .until(
              () -> {
                PatchRollout cr =
                    client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
                return cr.getStatus() != null && "REFUSED".equals(cr.getStatus().phase);
              });
      PatchRollout cr = client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
      var admitted = PatchRolloutGateTest.condition(cr, "Admitted");
      assertThat(admitted.getStatus()).isEqualTo("False");
      assertThat(admitted.getReason()).isEqualTo("CanaryWeight");
      assertThat(admitted.getMessage()).contains(REFUSAL);
      JsonNode event = startRefused(probe, "TCK-CR-" + name);
      assertThat(event.path("gate").asText()).isEqualTo("canary-weight");
      assertThat(event.path("origin").asText()).isEqualTo("KUBECTL");
    }
    Sandbox.assertCheckoutUnchanged(client, ns, before);
    assertThat(rollouts.byResource(ns, name)).isNull();
  }

  @Test
  void theSameStepOnMoreReplicasStartsAndReportsItsActualShare() throws Exception {
    String ns = Sandbox.shop(client);
    String ticketId = RolloutFlowTest.ticket();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id =
          RolloutFlowTest.approve(
              ns,
              ticketId,
              1,
              Sandbox.image("", '4'),
              List.of(new CanaryStep(10, 600), new CanaryStep(25, 600)));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  rollouts.get(id) != null
                      && rollouts.get(id).phase == RolloutPhase.PROGRESSING
                      && rollouts.get(id).crName != null);
      List<ConsumerRecord<String, byte[]>> events =
          RolloutFlowTest.eventsOf(probe, ticketId, EventType.CANARY_STEP_STARTED.type(), WAIT);
      JsonNode started =
          json(
              events.stream()
                  .filter(
                      r ->
                          EventType.CANARY_STEP_STARTED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
                  .findFirst()
                  .orElseThrow());
      // 1 canary beside the 4 stable would be 20 %: three stable replicas more make it 12.5 %.
      assertThat(started.path("weight").asInt()).isEqualTo(10);
      assertThat(started.path("actualWeight").asDouble()).isEqualTo(12.5);
      assertThat(started.path("canaryReplicas").asInt()).isEqualTo(1);
      assertThat(started.path("stableReplicas").asInt()).isEqualTo(7);
      String crName = rollouts.get(id).crName;
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                PatchRollout cr =
                    client.resources(PatchRollout.class).inNamespace(ns).withName(crName).get();
                assertThat(cr.getStatus().weight).isEqualTo(10);
                assertThat(cr.getStatus().actualWeight).isEqualTo(12.5);
                assertThat(cr.getStatus().canaryReplicas).isEqualTo(1);
                assertThat(cr.getStatus().stableReplicas).isEqualTo(7);
              });
      // The next step needs no extra stable replica: they go again.
      rollouts.command(id, RolloutService.Command.PROMOTE, "test");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Deployment stable =
                    client.apps().deployments().inNamespace(ns).withName("checkout").get();
                assertThat(stable.getSpec().getReplicas()).isEqualTo(4);
                PatchRollout cr =
                    client.resources(PatchRollout.class).inNamespace(ns).withName(crName).get();
                assertThat(cr.getStatus().weight).isEqualTo(25);
                assertThat(cr.getStatus().actualWeight).isEqualTo(20.0);
              });
      JsonNode passed =
          json(
              RolloutFlowTest.eventsOf(probe, ticketId, EventType.CANARY_STEP_PASSED.type(), WAIT)
                  .stream()
                  .filter(
                      r ->
                          EventType.CANARY_STEP_PASSED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
                  .findFirst()
                  .orElseThrow());
      assertThat(passed.path("weight").asInt()).isEqualTo(10);
      assertThat(passed.path("actualWeight").asDouble()).isEqualTo(12.5);
      // Promotion leaves the stable Deployment with its own replicas, running the patch.
      rollouts.command(id, RolloutService.Command.PROMOTE_FULL, "test");
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.WATCHING);
      Deployment stable = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(stable.getSpec().getReplicas()).isEqualTo(4);
      assertThat(Sandbox.endWatchWindows(ns)).isEqualTo(1);
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.SUCCEEDED);
    }
  }

  @Test
  void aStepSoaksForItsPauseFromTheMomentItsPodsAreReady() throws Exception {
    String ns = Sandbox.shop(client);
    String slow = "-slow-" + ns;
    KubeletFaults faults = KubeletFaults.open().behave(slow, SimulatedKubelet.Behavior.UNREADY);
    String ticketId = RolloutFlowTest.ticket();
    int pause = 2;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id =
          RolloutFlowTest.approve(
              ns, ticketId, 1, Sandbox.image(slow, '5'), List.of(new CanaryStep(25, pause)));
      await()
          .atMost(WAIT)
          .until(
              () -> rollouts.get(id) != null && rollouts.get(id).phase == RolloutPhase.PROGRESSING);
      Instant stepStarted = rollouts.get(id).stepStartedAt;
      // The canary's Pods stay unready for longer than the pause: the step must not pass, and no
      // soak has started.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  !client
                      .pods()
                      .inNamespace(ns)
                      .withLabel(dev.patchops.rollout.canary.k8s.Labels.ROLLOUT, id)
                      .list()
                      .getItems()
                      .isEmpty());
      await()
          .during(Duration.ofSeconds(pause + 1))
          .atMost(Duration.ofSeconds(pause + 10))
          .until(
              () ->
                  rollouts.get(id).phase == RolloutPhase.PROGRESSING
                      && rollouts.get(id).stepReadyAt == null);
      Instant madeReady = Instant.now();
      faults.behave(slow, SimulatedKubelet.Behavior.READY);
      await().atMost(WAIT).until(() -> rollouts.get(id).phase != RolloutPhase.PROGRESSING);
      Rollout after = rollouts.get(id);
      assertThat(after.stepReadyAt).isAfterOrEqualTo(madeReady);
      JsonNode passed =
          json(
              RolloutFlowTest.eventsOf(probe, ticketId, EventType.CANARY_STEP_PASSED.type(), WAIT)
                  .stream()
                  .filter(
                      r ->
                          EventType.CANARY_STEP_PASSED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
                  .findFirst()
                  .orElseThrow());
      Instant passedAt = Instant.parse(passed.path("passedAt").asText());
      // Passed a whole pause after readiness, not merely a pause after the step began.
      assertThat(passedAt).isAfterOrEqualTo(after.stepReadyAt.plusSeconds(pause));
      assertThat(passedAt).isAfterOrEqualTo(madeReady.plusSeconds(pause));
      assertThat(Duration.between(stepStarted, passedAt))
          .isGreaterThan(Duration.ofSeconds(2L * pause));
      assertThat(passed.path("evidence").toString()).contains("\"check\":\"soak\"");
      rollouts.command(id, RolloutService.Command.ABORT, "test");
      await().atMost(WAIT).until(() -> !rollouts.get(id).phase.active());
    }
  }
}
