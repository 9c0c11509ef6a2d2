package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.rollout.LocalHttp;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The canary analysis's failure rules of the architecture, each seen on the real API server: a
 * container the kubelet cannot start (ImagePullBackOff, CreateContainerConfigError) fails the step
 * at once with that reason, not at the progress deadline; a Prometheus query with no series fails;
 * query errors fail after three in a row, and fewer do not.
 */
@QuarkusTest
@WithRolloutInfra
class CanaryFailuresTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final String IMAGE_PULL = "-imagepull";

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
    KubeletFaults.open().behave(IMAGE_PULL, SimulatedKubelet.Behavior.IMAGE_PULL);
  }

  static String ticket() {
    return "TCK-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** A rollout started over REST by an SRE, for an approval of just what it asks; its id. */
  static String start(String ns, String image, String stepsAndAnalysis) {
    String body =
        """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],%s}
        """
            .formatted(ticket(), image, ns, stepsAndAnalysis);
    return RolloutFlowTest.createByRest(body);
  }

  Rollout awaitPhase(String id, RolloutPhase phase) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> rollouts.get(id) != null && rollouts.get(id).phase == phase);
    return rollouts.get(id);
  }

  /** The revert of {@code id} came from the canary analysis, before the progress deadline. */
  void assertFailedByAnalysisWithin(Rollout reverted, String reason) {
    assertThat(reverted.revertTrigger)
        .isEqualTo(dev.patchops.contract.model.RevertTrigger.ANALYSIS);
    assertThat(reverted.revertReason).contains(reason).doesNotContain("not ready within");
  }

  @Test
  void anImageThatCannotBePulledFailsTheStepWithImagePullBackOff() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    String id;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      id =
          start(
              ns,
              Sandbox.image(IMAGE_PULL, 'a'),
              "\"steps\":[{\"weight\":25,\"pauseSeconds\":600}]");
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertFailedByAnalysisWithin(reverted, "canary Pods cannot run");
      assertThat(reverted.revertEvidence)
          .anySatisfy(
              e -> {
                assertThat(e.check()).isEqualTo("pod-state");
                assertThat(e.observed()).contains("/app: ImagePullBackOff");
                assertThat(e.passed()).isFalse();
              });
      var failed =
          probe.collect(
              r ->
                  EventType.CANARY_STEP_FAILED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                      && KafkaProbe.value(r).contains(id),
              1,
              WAIT);
      assertThat(ContractJson.mapper().readTree(failed.get(0).value()).path("evidence").toString())
          .contains("ImagePullBackOff");
    }
    Sandbox.assertNoCanaryLeft(client, ns, id);
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout").get().getSpec())
        .isEqualTo(before.getSpec());
  }

  /**
   * The stable Pods started while the Secret had its key; the canary's Pods, started after the key
   * was renamed, are refused by the kubelet (CreateContainerConfigError), as on a real node.
   */
  @Test
  void aMissingSecretKeyFailsTheStepWithCreateContainerConfigError() {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    client
        .secrets()
        .inNamespace(ns)
        .withName("checkout-db")
        .edit(
            s -> {
              s.setData(Map.of("db-password", "c2VjcmV0LTE="));
              return s;
            });
    String id =
        start(ns, Sandbox.image("", 'b'), "\"steps\":[{\"weight\":25,\"pauseSeconds\":600}]");
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertFailedByAnalysisWithin(reverted, "CreateContainerConfigError");
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e -> {
              assertThat(e.check()).isEqualTo("pod-state");
              assertThat(e.observed()).contains("/app: CreateContainerConfigError");
            });
    // The stable Pods kept running all along: the revert verified a rolled-out Deployment.
    Sandbox.assertNoCanaryLeft(client, ns, id);
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout").get().getSpec())
        .isEqualTo(before.getSpec());
  }

  static String analysis(String name, String query, String limits) {
    return """
        "steps":[{"weight":20,"pauseSeconds":600}],
        "analysis":{"prometheusUrl":"%s","queries":[{"name":"%s","query":"%s",%s}]}
        """
        .formatted(LocalHttp.url(), name, query, limits);
  }

  @Test
  void aQueryWithoutAnySeriesFailsTheStep() {
    String ns = Sandbox.shop(client);
    String query = "sum(rate(http_requests_total{namespace=\\\"" + ns + "\\\"}[1m]))";
    LocalHttp.PROMETHEUS.put(
        "sum(rate(http_requests_total{namespace=\"" + ns + "\"}[1m]))", LocalHttp.noSeries());
    String id = start(ns, Sandbox.image("", 'c'), analysis("traffic", query, "\"min\":1"));
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertFailedByAnalysisWithin(reverted, "prometheus:traffic = no data");
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e -> {
              assertThat(e.check()).isEqualTo("prometheus:traffic");
              assertThat(e.observed()).isEqualTo("no data");
              assertThat(e.passed()).isFalse();
            });
    Sandbox.assertNoCanaryLeft(client, ns, id);
  }

  @Test
  void threeQueryErrorsInARowFailTheStep() {
    String ns = Sandbox.shop(client);
    String sent = "up{namespace=\"" + ns + "\"}";
    LocalHttp.PROMETHEUS_SEQUENCES.put(sent, new ArrayDeque<>(List.of(LocalHttp.FAIL)));
    String id =
        start(
            ns,
            Sandbox.image("", 'd'),
            analysis("up", "up{namespace=\\\"" + ns + "\\\"}", "\"min\":1"));
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertFailedByAnalysisWithin(reverted, "3 Prometheus errors in a row");
    assertThat(reverted.revertEvidence)
        .anySatisfy(e -> assertThat(e.observed()).isEqualTo("error: HTTP 503"));
    assertThat(LocalHttp.PROMETHEUS_ASKED.get(sent).get()).isGreaterThanOrEqualTo(3);
    Sandbox.assertNoCanaryLeft(client, ns, id);
  }

  /** Two errors, then an answer within the limits: a blip, and the step passes. */
  @Test
  void twoQueryErrorsThenAGoodAnswerLetTheStepPass() {
    String ns = Sandbox.shop(client);
    String sent = "up{namespace=\"" + ns + "\"}";
    LocalHttp.PROMETHEUS_SEQUENCES.put(
        sent, new ArrayDeque<>(List.of(LocalHttp.FAIL, LocalHttp.FAIL, LocalHttp.vector("1"))));
    String body =
        analysis("up", "up{namespace=\\\"" + ns + "\\\"}", "\"min\":1")
            .replace("\"pauseSeconds\":600", "\"pauseSeconds\":1");
    String id = start(ns, Sandbox.image("", 'e'), body);
    await()
        .atMost(WAIT)
        .until(
            () ->
                rollouts.get(id).phase == RolloutPhase.WATCHING
                    || rollouts.get(id).phase == RolloutPhase.SUCCEEDED);
    assertThat(LocalHttp.PROMETHEUS_ASKED.get(sent).get()).isGreaterThanOrEqualTo(3);
    assertThat(rollouts.get(id).revertReason).isNull();
  }
}
