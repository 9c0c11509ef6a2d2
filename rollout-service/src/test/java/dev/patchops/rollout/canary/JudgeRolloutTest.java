package dev.patchops.rollout.canary;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.rollout.JudgePrometheus;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.rollout.canary.k8s.PatchRolloutSpec;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The engine runs the statistical judge on a real Prometheus: a canary slower than its stable Pods
 * is reverted with the judge's evidence in the step's event, one like them passes its step with
 * that evidence, and a Prometheus address with user info is refused at REST and on a PatchRollout.
 */
@QuarkusTest
@WithRolloutInfra
class JudgeRolloutTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final String ATTACK = "http://prometheus:9090@127.0.0.1:18099";

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  static String body(String ns, char image, String scenario, String url) {
    return """
        {"ticketId":"TCK-%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":20,"pauseSeconds":1}],
         "analysis":{"prometheusUrl":"%s","comparisons":[{"name":"latency",
           "query":"request_latency_ms{scenario=\\"%s\\",pod=~\\"{{pods}}\\"}",
           "badWhen":"higher","lookbackSeconds":10800,"resolutionSeconds":60}]}}
        """
        .formatted(
            UUID.randomUUID().toString().substring(0, 8),
            Sandbox.image("", image),
            ns,
            url,
            scenario);
  }

  Rollout awaitPhase(String id, RolloutPhase... phases) {
    await().atMost(WAIT).until(() -> java.util.List.of(phases).contains(rollouts.get(id).phase));
    return rollouts.get(id);
  }

  static String evidenceOf(KafkaProbe probe, EventType type, String id) throws Exception {
    var events =
        probe.collect(
            r ->
                type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                    && KafkaProbe.value(r).contains(id),
            1,
            WAIT);
    return ContractJson.mapper().readTree(events.get(0).value()).path("evidence").toString();
  }

  @Test
  void aCanarySlowerThanItsStablePodsIsRevertedWithTheJudgesEvidence() throws Exception {
    String ns = Sandbox.shop(client);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = RolloutFlowTest.createByRest(body(ns, '1', "fail", JudgePrometheus.url()));
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertReason).startsWith("judge FAIL, score 0: latency FAIL");
      assertThat(reverted.revertEvidence)
          .anySatisfy(
              e -> {
                assertThat(e.check()).isEqualTo("judge:latency");
                assertThat(e.subject())
                    .contains("pod=~\"checkout-canary-[a-z0-9]+-[a-z0-9]+\"")
                    .contains("pod=~\"checkout-[a-z0-9]+-[a-z0-9]+\"");
                assertThat(e.observed()).startsWith("FAIL: canary n=").contains(", p=");
                assertThat(e.passed()).isFalse();
              })
          .anySatisfy(e -> assertThat(e.check()).isEqualTo("judge:score"));
      assertThat(evidenceOf(probe, EventType.CANARY_STEP_FAILED, id))
          .contains("judge:latency")
          .contains("judge:score")
          .contains("FAIL: score 0");
      Sandbox.assertNoCanaryLeft(client, ns, id);
    }
  }

  @Test
  void aCanaryLikeItsStablePodsPassesItsStepWithTheJudgesEvidence() throws Exception {
    String ns = Sandbox.shop(client);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = RolloutFlowTest.createByRest(body(ns, '2', "pass", JudgePrometheus.url()));
      assertThat(evidenceOf(probe, EventType.CANARY_STEP_PASSED, id))
          .contains("judge:latency")
          .contains("PASS: canary n=")
          .contains("PASS: score 100");
      Rollout r = awaitPhase(id, RolloutPhase.WATCHING, RolloutPhase.SUCCEEDED);
      assertThat(r.revertReason).isNull();
    }
  }

  /** The address that passed the old prefix check while naming another host. */
  @Test
  void aPrometheusAddressWithUserInfoIsRefusedAtRest() {
    given()
        .header("Authorization", TestInfra.bearer("sam", "sre"))
        .contentType("application/json")
        .body(body("shop-x", '3', "pass", ATTACK))
        .post("/api/v1/rollouts")
        .then()
        .statusCode(400)
        .contentType(containsString("application/problem+json"))
        .body("violations[0].field", equalTo("analysis.prometheusUrl"))
        .body("violations[0].reason", containsString("must not carry user info"));
    // A configured host on another port is refused as well: exact, not a prefix.
    given()
        .header("Authorization", TestInfra.bearer("sam", "sre"))
        .contentType("application/json")
        .body(body("shop-x", '3', "pass", JudgePrometheus.url() + "0"))
        .post("/api/v1/rollouts")
        .then()
        .statusCode(400)
        .body("violations[0].reason", containsString("must be exactly one of the configured"));
  }

  @Test
  void aPrometheusAddressWithUserInfoIsRefusedOnAPatchRollout() {
    String ns = Sandbox.shop(client);
    PatchRollout cr =
        PatchRolloutResourceTest.resource(
            ns, "judged", Sandbox.image("", '4'), TestCluster.ADMIN_USER, 20);
    cr.getSpec().analysis = new PatchRolloutSpec.Analysis();
    cr.getSpec().analysis.prometheusUrl = ATTACK;
    var c = new PatchRolloutSpec.Comparison();
    c.name = "latency";
    c.query = "request_latency_ms{pod=~\"{{pods}}\"}";
    c.badWhen = "higher";
    cr.getSpec().analysis.comparisons.add(c);
    client.resources(PatchRollout.class).inNamespace(ns).resource(cr).create();
    await()
        .atMost(WAIT)
        .until(
            () -> {
              PatchRollout seen =
                  client.resources(PatchRollout.class).inNamespace(ns).withName("judged").get();
              return seen.getStatus() != null && "REFUSED".equals(seen.getStatus().phase);
            });
    PatchRollout refused =
        client.resources(PatchRollout.class).inNamespace(ns).withName("judged").get();
    assertThat(refused.getStatus().message)
        .isEqualTo(
            "analysis.prometheusUrl: must not carry user info (an '@' in the address) when"
                + " queries or comparisons are given");
    assertThat(PatchRolloutGateTest.condition(refused, "Admitted").getStatus()).isEqualTo("False");
    assertThat(PatchRolloutGateTest.condition(refused, "Admitted").getReason())
        .isEqualTo("InvalidRequest");
  }
}
