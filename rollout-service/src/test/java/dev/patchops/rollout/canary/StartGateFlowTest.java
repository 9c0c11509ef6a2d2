package dev.patchops.rollout.canary;

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
import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.gate.FreezeWindowRecord;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The start gate on the REST and approval paths: what was not approved, was approved with another
 * image, already rolled out, or falls in a freeze does not start; each refusal is a problem for the
 * caller and a {@code rollout.start-refused} event; the emergency path needs its role and reason.
 */
@QuarkusTest
@WithRolloutInfra
class StartGateFlowTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  static String body(String ticketId, String image, String ns, String extra) {
    return """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":10,"pauseSeconds":600}]%s}
        """
        .formatted(ticketId, image, ns, extra);
  }

  static ValidatableResponse post(String body, String user, String... roles) {
    return given()
        .header("Authorization", TestInfra.bearer(user, roles))
        .contentType("application/json")
        .body(body)
        .post("/api/v1/rollouts")
        .then();
  }

  static JsonNode refusal(KafkaProbe probe, String ticketId, String gate) throws Exception {
    List<ConsumerRecord<String, byte[]>> found =
        probe.collect(
            r ->
                EventType.ROLLOUT_START_REFUSED
                        .type()
                        .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                    && ticketId.equals(r.key())
                    && KafkaProbe.value(r).contains("\"gate\":\"" + gate + "\""),
            1,
            WAIT);
    assertThat(found).as("rollout.start-refused %s of %s", gate, ticketId).hasSize(1);
    return RolloutFlowTest.json(found.get(0));
  }

  @Test
  void aRestStartOfAnUnapprovedImageIsRefusedAndRecorded() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    String ticketId = RolloutFlowTest.ticket();
    String image = Sandbox.image("", '4');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      post(body(ticketId, image, ns, ""), "sam", "sre")
          .statusCode(409)
          .contentType(containsString("application/problem+json"))
          .body("type", equalTo("https://patchops.dev/problems/start-refused/approval"))
          .body("detail", containsString("no approval of revision 1 of " + ticketId))
          .body("violations.field", hasItem("revision"));
      JsonNode event = refusal(probe, ticketId, "approval");
      assertThat(event.path("origin").asText()).isEqualTo("REST");
      assertThat(event.path("actor").asText()).isEqualTo("sam");
      assertThat(event.path("image").asText()).isEqualTo(image);
      assertThat(event.path("workload").path("namespace").asText()).isEqualTo(ns);
    }
    Sandbox.assertCheckoutUnchanged(client, ns, before);
    assertThat(rollouts.activeFor(ns, "checkout")).isEmpty();
  }

  @Test
  void anApprovedTicketWithAnotherImageIsRefused() throws Exception {
    String ns = Sandbox.shop(client);
    String ticketId = RolloutFlowTest.ticket();
    String approved = Sandbox.image("", '5');
    String swapped = Sandbox.image("", '6');
    Approvals.approve(ticketId, 1, approved, ns, "checkout", "app");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      post(body(ticketId, swapped, ns, ""), "sam", "sre")
          .statusCode(409)
          .contentType(containsString("application/problem+json"))
          .body("type", equalTo("https://patchops.dev/problems/start-refused/approved-image"))
          .body("detail", containsString("approved with image " + approved))
          .body("violations.field", hasItem("image"));
      assertThat(refusal(probe, ticketId, "approved-image").path("image").asText())
          .isEqualTo(swapped);
    }
    assertThat(rollouts.activeFor(ns, "checkout")).isEmpty();
  }

  @Test
  void anApprovalIsRolledOutOnceAndAReplayStartsNothing() throws Exception {
    String ns = Sandbox.shop(client);
    String ticketId = RolloutFlowTest.ticket();
    String image = Sandbox.image("", '8');
    String first =
        RolloutFlowTest.approve(ns, ticketId, 1, image, List.of(new CanaryStep(10, 600)));
    Rollout started = awaitPhase(first, RolloutPhase.PROGRESSING);
    assertThat(started.origin).isEqualTo(RolloutOrigin.APPROVAL);
    rollouts.command(first, RolloutService.Command.ABORT, "test");
    awaitPhase(first, RolloutPhase.REVERTED);

    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      // The same approval by REST, once its rollout has run: refused.
      post(body(ticketId, image, ns, ""), "sam", "sre")
          .statusCode(409)
          .body("type", equalTo("https://patchops.dev/problems/start-refused/replay"))
          .body("detail", containsString("already rolled out by " + first));
      assertThat(refusal(probe, ticketId, "replay").path("origin").asText()).isEqualTo("REST");

      // The approval event again, as a new event: no second rollout of the same approval.
      String replay =
          RolloutFlowTest.approve(ns, ticketId, 1, image, List.of(new CanaryStep(10, 600)));
      Rollout refused = awaitPhase(replay, RolloutPhase.REFUSED);
      assertThat(refused.message).contains("already rolled out by " + first);
      JsonNode event = refusal(probe, ticketId, "replay");
      assertThat(event.path("origin").asText()).isEqualTo("APPROVAL");
      assertThat(event.path("rolloutId").asText()).isEqualTo(replay);
    }
    assertThat(rollouts.activeFor(ns, "checkout")).isEmpty();
  }

  @Test
  void duringAFreezeOnlyTheEmergencyPathWithRoleAndReasonStarts() throws Exception {
    String ns = Sandbox.shop(client);
    String ticketId = RolloutFlowTest.ticket();
    String image = Sandbox.image("", '9');
    Approvals.approve(ticketId, 1, image, ns, "checkout", "app");
    String windowId = "fw-" + UUID.randomUUID();
    EventSender.send(
        new FreezeWindowCreated(
            windowId,
            Instant.now().minusSeconds(60),
            Instant.now().plusSeconds(600),
            "quarter close",
            "carol",
            Instant.now()),
        "ticket-service");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      await().atMost(WAIT).until(() -> freeze(windowId) != null);
      post(body(ticketId, image, ns, ""), "sam", "sre")
          .statusCode(409)
          .contentType(containsString("application/problem+json"))
          .body("type", equalTo("https://patchops.dev/problems/start-refused/change-freeze"))
          .body("detail", containsString(windowId))
          .body("detail", containsString("quarter close"));
      refusal(probe, ticketId, "change-freeze");

      // Without a reason the emergency path is refused too.
      post(body(ticketId, image, ns, ",\"emergency\":true"), "sam", "sre")
          .statusCode(400)
          .body("type", equalTo("https://patchops.dev/problems/start-refused/emergency-reason"))
          .body("violations.field", hasItem("emergencyReason"));
      assertThat(refusal(probe, ticketId, "emergency-reason").path("origin").asText())
          .isEqualTo("EMERGENCY");
      // Without the role the endpoint is closed.
      post(
              body(ticketId, image, ns, ",\"emergency\":true,\"emergencyReason\":\"x\""),
              "eve",
              "engineer")
          .statusCode(403);

      String id =
          post(
                  body(
                      ticketId,
                      image,
                      ns,
                      ",\"emergency\":true,\"emergencyReason\":\"checkout down, INC-7\""),
                  "sam",
                  "sre")
              .statusCode(201)
              .body("origin", equalTo("EMERGENCY"))
              .body("emergencyReason", equalTo("checkout down, INC-7"))
              .extract()
              .path("id");
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.PROGRESSING);
      List<ConsumerRecord<String, byte[]>> events =
          RolloutFlowTest.eventsOf(probe, ticketId, EventType.CANARY_STEP_STARTED.type(), WAIT);
      ConsumerRecord<String, byte[]> step = KubectlTest.only(events, EventType.CANARY_STEP_STARTED);
      JsonNode payload = RolloutFlowTest.json(step);
      assertThat(payload.path("origin").asText()).isEqualTo("EMERGENCY");
      assertThat(payload.path("startedBy").asText()).isEqualTo("sam");
      assertThat(payload.path("image").asText()).isEqualTo(image);
      rollouts.command(id, RolloutService.Command.ABORT, "test");
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
    } finally {
      EventSender.send(new FreezeWindowDeleted(windowId, "carol", Instant.now()), "ticket-service");
      await()
          .atMost(WAIT)
          .until(() -> freeze(windowId) != null && freeze(windowId).deletedAt != null);
    }
    // Lifted: a normal start of the approval goes through again.
    Approvals.approve(ticketId, 2, image, ns, "checkout", "app");
    String normal =
        post(
                body(ticketId, image, ns, "").replace("\"revision\":1", "\"revision\":2"),
                "sam",
                "sre")
            .statusCode(201)
            .body("origin", equalTo("REST"))
            .extract()
            .path("id");
    rollouts.command(normal, RolloutService.Command.ABORT, "test");
    await().atMost(WAIT).until(() -> !rollouts.get(normal).phase.active());
  }

  Rollout awaitPhase(String id, RolloutPhase phase) {
    await().atMost(WAIT).until(() -> rollouts.get(id) != null && rollouts.get(id).phase == phase);
    return rollouts.get(id);
  }

  static FreezeWindowRecord freeze(String id) {
    return QuarkusTransaction.requiringNew().call(() -> FreezeWindowRecord.findById(id));
  }
}
