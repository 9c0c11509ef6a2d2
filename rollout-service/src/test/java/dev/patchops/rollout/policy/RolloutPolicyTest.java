package dev.patchops.rollout.policy;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutPhase;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.rollout.canary.k8s.RolloutResources;
import dev.patchops.rollout.canary.messaging.RolloutEventsConsumer;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rollout policies on the real API server: the CRD refuses malformed policies, the service marks
 * the ones it cannot use, and every start path (approval, REST, PatchRollout) runs with the policy
 * that matches, records which and refuses a request that would weaken it.
 */
@QuarkusTest
@WithRolloutInfra
class RolloutPolicyTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  static String ticket() {
    return "TCK-P-" + UUID.randomUUID().toString().substring(0, 8);
  }

  void apply(String ns, String yaml) {
    client.resource(yaml).inNamespace(ns).create();
  }

  static String policy(String name, String spec) {
    return """
        apiVersion: patchops.dev/v1alpha1
        kind: PatchRolloutPolicy
        metadata:
          name: %s
        spec:
        %s"""
        .formatted(name, spec.stripIndent().indent(2));
  }

  /** An approval event for checkout's app container, with the steps given; the rollout's id. */
  static String approve(
      String ns, String ticketId, int revision, String image, List<CanaryStep> steps) {
    String eventId = UUID.randomUUID().toString();
    var workload = new WorkloadRef(ns, "Deployment", "checkout");
    EventSender.send(
        new PatchApproved(
            ticketId,
            revision,
            Approvals.APPROVER,
            Approvals.AUTHOR,
            false,
            null,
            image,
            List.of(new ContainerTarget(workload, "app")),
            steps,
            Instant.now()),
        "ticket-service",
        eventId);
    return RolloutEventsConsumer.eventRolloutId(eventId, workload);
  }

  static JsonNode json(ConsumerRecord<String, byte[]> r) throws Exception {
    return ContractJson.mapper().readTree(r.value());
  }

  Rollout awaitPhase(String id, RolloutPhase phase) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> rollouts.get(id) != null && rollouts.get(id).phase == phase);
    return rollouts.get(id);
  }

  Condition ready(String ns, String name) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var p =
                  client.resources(PatchRolloutPolicy.class).inNamespace(ns).withName(name).get();
              return p.getStatus() != null
                  && Long.valueOf(p.getMetadata().getGeneration())
                      .equals(p.getStatus().observedGeneration);
            });
    return client
        .resources(PatchRolloutPolicy.class)
        .inNamespace(ns)
        .withName(name)
        .get()
        .getStatus()
        .conditions
        .stream()
        .filter(c -> c.getType().equals("Ready"))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void theApiServerRefusesMalformedPoliciesAndTheServiceMarksUnusableOnes() {
    String ns = Sandbox.shop(client);
    Map<String, String> bad =
        Map.of(
            "selector: {}\nsteps: [{weight: 0, pauseSeconds: 10}]", "weight",
            "selector: {}\nsteps: [{weight: 101}]", "weight",
            "selector: {}\ntraffic: {mode: canary}", "mode",
            "selector: {}\ntraffic: {mode: gatewayAPI}", "gatewayAPI needs the httpRoute",
            "selector: {}\ntraffic: {mode: replicas, httpRoute: shop}", "takes no httpRoute",
            "steps: [{weight: 10}]", "select Deployments by selector",
            "selector: {}\nrevertSeverities: [SEV9]", "revertSeverities",
            "selector: {}\nwatchWindowSeconds: -1", "watchWindowSeconds",
            "selector: {}\nanalysis: {queries: [{name: errors, query: up}]}",
                "needs a min or a max");
    int i = 0;
    for (var e : bad.entrySet()) {
      String yaml = policy("bad-" + i++, e.getKey());
      assertThatThrownBy(() -> apply(ns, yaml))
          .as(e.getKey())
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              ex -> {
                assertThat(ex.getCode()).isEqualTo(422);
                assertThat(ex.getMessage()).contains(e.getValue());
              });
    }
    assertThat(client.resources(PatchRolloutPolicy.class).inNamespace(ns).list().getItems())
        .isEmpty();

    apply(ns, policy("good", "selector: {matchLabels: {app: checkout}}\nsteps: [{weight: 10}]"));
    Condition good = ready(ns, "good");
    assertThat(good.getStatus()).isEqualTo("True");
    assertThat(good.getObservedGeneration()).isEqualTo(1L);
    // Well-formed, but the service may not query that Prometheus: the API server cannot know.
    apply(
        ns,
        policy(
            "elsewhere",
            """
            deployments: [cart]
            analysis:
              prometheusUrl: http://evil.example:9090
              queries: [{name: errors, query: up, max: 1}]"""));
    Condition elsewhere = ready(ns, "elsewhere");
    assertThat(elsewhere.getStatus()).isEqualTo("False");
    assertThat(elsewhere.getReason()).isEqualTo("Invalid");
    assertThat(elsewhere.getMessage()).contains("analysis.prometheusUrl");
  }

  @Test
  void anApprovalRunsWithThePolicyAndRecordsWhichAndItsVersion() throws Exception {
    String ns = Sandbox.shop(client);
    apply(
        ns,
        policy(
            "checkout-careful",
            """
            selector: {matchLabels: {app: checkout}}
            steps: [{weight: 20, pauseSeconds: 600}, {weight: 60, pauseSeconds: 600}]
            watchWindowSeconds: 3600
            revertSeverities: [SEV1]"""));
    // A namespace-wide fallback, less specific: not the one chosen.
    apply(ns, policy("fallback", "selector: {}\nsteps: [{weight: 50}]"));
    String ticketId = ticket();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = approve(ns, ticketId, 1, Sandbox.image("", '4'), List.of());
      Rollout r = awaitPhase(id, RolloutPhase.PROGRESSING);
      assertThat(r.steps).containsExactly(new CanaryStep(20, 600), new CanaryStep(60, 600));
      assertThat(r.policyName).isEqualTo("checkout-careful");
      assertThat(r.policyGeneration).isEqualTo(1L);
      assertThat(r.policyReason).isEqualTo("selector with 1 requirement(s)");
      assertThat(r.watchWindowSeconds).isEqualTo(3600L);
      assertThat(r.revertSeverities).containsExactly("SEV1");

      JsonNode checkpoint =
          json(
              probe
                  .collect(
                      rec ->
                          EventType.CHECKPOINT_RECORDED
                                  .type()
                                  .equals(KafkaProbe.header(rec, CloudEventHeaders.TYPE))
                              && ticketId.equals(rec.key()),
                      1,
                      WAIT)
                  .get(0));
      assertThat(checkpoint.path("policy").path("name").asText()).isEqualTo("checkout-careful");
      assertThat(checkpoint.path("policy").path("generation").asLong()).isEqualTo(1L);

      given()
          .header("Authorization", TestInfra.bearer("sam", "sre"))
          .get("/api/v1/rollouts/" + id)
          .then()
          .statusCode(200)
          .body("policy.name", equalTo("checkout-careful"))
          .body("policy.generation", equalTo(1));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  client.resources(PatchRollout.class).inNamespace(ns).list().getItems().stream()
                      .anyMatch(
                          cr ->
                              cr.getStatus() != null
                                  && "checkout-careful@1".equals(cr.getStatus().policy)));
      rollouts.command(id, RolloutService.Command.ABORT, "test");
      awaitPhase(id, RolloutPhase.REVERTED);
    }
  }

  static String body(String ticketId, String ns, String steps, String extra) {
    return """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":%s%s}
        """
        .formatted(ticketId, Sandbox.image("", '5'), ns, steps, extra);
  }

  @Test
  void aRestRequestMayBeStricterThanThePolicyNeverLooser() throws Exception {
    String ns = Sandbox.shop(client);
    apply(
        ns,
        policy(
            "checkout-named",
            """
            deployments: [checkout]
            steps: [{weight: 10, pauseSeconds: 60}, {weight: 50, pauseSeconds: 60}]
            analysis: {maxRestarts: 1}"""));
    String sre = TestInfra.bearer("sam", "sre");
    String ticketId = ticket();
    String weaker = body(ticketId, ns, "[{\"weight\":50,\"pauseSeconds\":0}]", "");
    Approvals.approveRequest(weaker);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      given()
          .header("Authorization", sre)
          .contentType("application/json")
          .body(weaker)
          .post("/api/v1/rollouts")
          .then()
          .statusCode(409)
          .contentType(containsString("application/problem+json"))
          .body("type", containsString("start-refused/policy"))
          .body("violations[0].field", equalTo("policy"))
          .body("detail", containsString("first weight 50% is above policy checkout-named's 10%"))
          .body("detail", containsString("fewer than policy checkout-named's 2"));
      JsonNode refused =
          json(
              probe
                  .collect(
                      rec ->
                          EventType.ROLLOUT_START_REFUSED
                                  .type()
                                  .equals(KafkaProbe.header(rec, CloudEventHeaders.TYPE))
                              && ticketId.equals(rec.key()),
                      1,
                      WAIT)
                  .get(0));
      assertThat(refused.path("gate").asText()).isEqualTo("policy");
    }
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
        .isNull();

    String looserRestarts = body(ticketId, ns, "[]", ",\"analysis\":{\"maxRestarts\":3}");
    given()
        .header("Authorization", sre)
        .contentType("application/json")
        .body(looserRestarts)
        .post("/api/v1/rollouts")
        .then()
        .statusCode(409)
        .body("detail", containsString("analysis.maxRestarts: 3 is looser"));

    String stricter =
        body(
            ticketId,
            ns,
            // Stricter, and honourable on four replicas (5 % is not: see HonestWeightsTest).
            "[{\"weight\":10,\"pauseSeconds\":600},{\"weight\":25,\"pauseSeconds\":600}]",
            ",\"analysis\":{\"maxRestarts\":0}");
    String id =
        given()
            .header("Authorization", sre)
            .contentType("application/json")
            .body(stricter)
            .post("/api/v1/rollouts")
            .then()
            .statusCode(201)
            .body("policy.name", equalTo("checkout-named"))
            .body("policy.reason", equalTo("names the Deployment"))
            .extract()
            .path("id");
    Rollout r = awaitPhase(id, RolloutPhase.PROGRESSING);
    assertThat(r.steps).containsExactly(new CanaryStep(10, 600), new CanaryStep(25, 600));
    assertThat(r.analysis.maxRestarts()).isZero();
    rollouts.command(id, RolloutService.Command.ABORT, "test");
    awaitPhase(id, RolloutPhase.REVERTED);
  }

  @Test
  void twoEquallySpecificPoliciesRefuseEveryPathNamingBoth() throws Exception {
    String ns = Sandbox.shop(client);
    apply(ns, policy("by-app", "selector: {matchLabels: {app: checkout}}"));
    apply(ns, policy("by-tier", "selector: {matchLabels: {tier: web}}"));
    String ticketId = ticket();
    String request = body(ticketId, ns, "[]", "");
    Approvals.approveRequest(request);
    given()
        .header("Authorization", TestInfra.bearer("sam", "sre"))
        .contentType("application/json")
        .body(request)
        .post("/api/v1/rollouts")
        .then()
        .statusCode(409)
        .body("detail", containsString("policies by-app, by-tier all match Deployment checkout"));

    String approvalTicket = ticket();
    String id = approve(ns, approvalTicket, 1, Sandbox.image("", '6'), List.of());
    Rollout refused = awaitPhase(id, RolloutPhase.REFUSED);
    assertThat(refused.message).contains("policy: policies by-app, by-tier");
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
        .isNull();
  }

  @Test
  void aPatchRolloutCannotRouteAroundThePolicysTrafficMode() {
    String ns = Sandbox.shop(client);
    apply(ns, policy("replicas-only", "deployments: [checkout]\ntraffic: {mode: replicas}"));
    String image = Sandbox.image("", '7');
    Approvals.approve("TCK-CR-routed", 1, image, ns, "checkout", "app");
    PatchRollout cr = new PatchRollout();
    cr.getMetadata().setName("routed");
    cr.getMetadata().setNamespace(ns);
    cr.getMetadata().setAnnotations(Map.of(RolloutResources.REQUESTED_BY, TestCluster.ADMIN_USER));
    cr.getSpec().ticketId = "TCK-CR-routed";
    cr.getSpec().revision = 1;
    cr.getSpec().deployment = "checkout";
    cr.getSpec().containers = List.of("app");
    cr.getSpec().image = image;
    cr.getSpec().httpRoute = "shop-route";
    client.resources(PatchRollout.class).inNamespace(ns).resource(cr).create();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              var live =
                  client.resources(PatchRollout.class).inNamespace(ns).withName("routed").get();
              return live.getStatus() != null && "REFUSED".equals(live.getStatus().phase);
            });
    var live = client.resources(PatchRollout.class).inNamespace(ns).withName("routed").get();
    assertThat(live.getStatus().message).contains("replicas-only splits traffic by replica ratio");
    assertThat(live.getStatus().conditions)
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Admitted");
              assertThat(c.getReason()).isEqualTo("Policy");
            });
  }
}
