package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.rollout.JudgePrometheus;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The watch window keeps the analysis on after promotion: promoted Pods that start crash-looping,
 * or stay unready past the progress deadline, or a bounded query (on the real Prometheus) that the
 * promoted Pods leave, revert the rollout to its checkpoint with the reason and the evidence in
 * rollout.reverted; a healthy window with the same query passes. The simulated kubelet turns the
 * promoted image bad only once the rollout watches, so the canary step itself passed.
 */
@QuarkusTest
@WithRolloutInfra
class WatchWindowTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final List<CanaryStep> ONE_STEP = List.of(new CanaryStep(50, 0));

  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  Rollout awaitPhase(String id, RolloutPhase phase) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .untilAsserted(
            () -> {
              Rollout r = rollouts.get(id);
              assertThat(r).isNotNull();
              assertThat(r.phase).as(r.message).isEqualTo(phase);
            });
    return rollouts.get(id);
  }

  /** Promoted, healthy, watching: the patched image runs on every stable Pod. */
  String promote(String ns, String image) {
    String id = RolloutFlowTest.approve(ns, RolloutFlowTest.ticket(), 1, image, ONE_STEP);
    awaitPhase(id, RolloutPhase.WATCHING);
    assertThat(stableImage(ns)).isEqualTo(image);
    return id;
  }

  String stableImage(String ns) {
    return client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("checkout")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getImage();
  }

  void assertRestored(String ns, Deployment before) {
    Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    assertThat(Snapshot.specHash(live)).isEqualTo(Snapshot.specHash(before));
    assertThat(stableImage(ns)).isEqualTo(Sandbox.STABLE_IMAGE);
  }

  /** The rollout.reverted event of the rollout: what the change record is built from. */
  static JsonNode revertedEvent(KafkaProbe probe, String id) throws Exception {
    var events =
        probe.collect(
            r ->
                EventType.ROLLOUT_REVERTED
                        .type()
                        .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                    && KafkaProbe.value(r).contains(id),
            1,
            WAIT);
    return RolloutFlowTest.json(events.get(0));
  }

  @Test
  void promotedPodsThatStartCrashLoopingRevertWithTheRestarts() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    String late = "-late-crash-" + ns;
    KubeletFaults faults = KubeletFaults.open();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = promote(ns, Sandbox.image(late, 'a'));
      faults.behave(late, SimulatedKubelet.Behavior.CRASHLOOP);
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertTrigger).isEqualTo(RevertTrigger.ANALYSIS);
      assertThat(reverted.revertReason)
          .startsWith("watch window: promoted Pods cannot run: ")
          .contains("/app: CrashLoopBackOff")
          .containsPattern("promoted Pods restarted \\d+ times \\(limit 1\\)");
      assertThat(reverted.revertEvidence)
          .anySatisfy(
              e -> {
                assertThat(e.check()).isEqualTo("restarts");
                assertThat(e.subject()).isEqualTo(ns + "/checkout");
                assertThat(Integer.parseInt(e.observed())).isGreaterThan(1);
                assertThat(e.threshold()).isEqualTo("<= 1");
                assertThat(e.passed()).isFalse();
              });
      JsonNode event = revertedEvent(probe, id);
      assertThat(event.path("trigger").asText()).isEqualTo("ANALYSIS");
      assertThat(event.path("reason").asText()).isEqualTo(reverted.revertReason);
      assertThat(event.path("evidence").toString())
          .contains("\"check\":\"restarts\"")
          .contains("CrashLoopBackOff");
      assertRestored(ns, before);
    } finally {
      faults.behave(late, SimulatedKubelet.Behavior.READY);
    }
  }

  /**
   * Unready promoted Pods get the progress deadline (4 s in the tests) to come back, as a Pod
   * replaced on a drained node would, then revert.
   */
  @Test
  void promotedPodsThatStayUnreadyRevertAfterTheProgressDeadline() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    String late = "-late-stall-" + ns;
    KubeletFaults faults = KubeletFaults.open();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = promote(ns, Sandbox.image(late, 'b'));
      Instant unready = Instant.now();
      faults.behave(late, SimulatedKubelet.Behavior.UNREADY);
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertTrigger).isEqualTo(RevertTrigger.ANALYSIS);
      assertThat(reverted.revertReason)
          .startsWith("watch window: promoted Pods not ready for more than 4 s (")
          .endsWith("/4 ready)");
      assertThat(reverted.detectedAt).isAfter(unready.plusSeconds(4));
      assertThat(reverted.revertEvidence)
          .anySatisfy(
              e -> {
                assertThat(e.check()).isEqualTo("promoted-ready");
                assertThat(e.subject()).isEqualTo(ns + "/checkout");
                assertThat(e.observed()).containsPattern("^[0-3]/4 ready for \\d+ ms$");
                assertThat(e.passed()).isFalse();
              })
          .anySatisfy(
              e -> {
                // Running, never restarted: only readiness fails.
                assertThat(e.check()).isEqualTo("restarts");
                assertThat(e.passed()).isTrue();
              });
      assertThat(revertedEvent(probe, id).path("reason").asText()).isEqualTo(reverted.revertReason);
      assertRestored(ns, before);
    } finally {
      faults.behave(late, SimulatedKubelet.Behavior.READY);
    }
  }

  /**
   * The step queries the canary's Pods, the window the promoted stable Pods: {@code {{canary}}}
   * names the Deployment that runs the patch at the time.
   */
  static String boundedQueryBody(String ns, char image, String scenario) {
    return """
        {"ticketId":"TCK-%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":50,"pauseSeconds":1}],
         "analysis":{"prometheusUrl":"%s","queries":[{"name":"latency",
           "query":"max(max_over_time(request_latency_ms{scenario=\\"%s\\",pod=~\\"{{canary}}-[a-z0-9]+-[a-z0-9]+\\"}[3h]))",
           "max":100}]}}
        """
        .formatted(
            UUID.randomUUID().toString().substring(0, 8),
            Sandbox.image("", image),
            ns,
            JudgePrometheus.url(),
            scenario);
  }

  @Test
  void aBoundedQueryThePromotedPodsLeaveRevertsInTheWindow() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = RolloutFlowTest.createByRest(boundedQueryBody(ns, 'c', "watch"));
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      // The canary's own step passed on the same query: only the window failed it.
      var events =
          probe.collect(
              r ->
                  List.of(EventType.CANARY_STEP_PASSED.type(), EventType.ROLLOUT_REVERTED.type())
                          .contains(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                      && KafkaProbe.value(r).contains(id),
              2,
              WAIT);
      assertThat(events)
          .extracting(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
          .containsExactly(EventType.CANARY_STEP_PASSED.type(), EventType.ROLLOUT_REVERTED.type());
      assertThat(reverted.revertTrigger).isEqualTo(RevertTrigger.ANALYSIS);
      assertThat(reverted.revertReason)
          .startsWith("watch window: metric outside its threshold: prometheus:latency = 5")
          .contains("(want <= 100.0)");
      assertThat(reverted.revertEvidence)
          .anySatisfy(
              e -> {
                assertThat(e.check()).isEqualTo("prometheus:latency");
                assertThat(e.subject())
                    .contains("pod=~\"checkout-[a-z0-9]+-[a-z0-9]+\"")
                    .doesNotContain("canary");
                assertThat(Double.parseDouble(e.observed()))
                    .isGreaterThan(JudgePrometheus.WATCH_SLOW);
                assertThat(e.passed()).isFalse();
              });
      assertThat(RolloutFlowTest.json(events.get(1)).path("evidence").toString())
          .contains("prometheus:latency");
      assertRestored(ns, before);
    }
  }

  @Test
  void aHealthyWindowWithTheSameQueryPasses() {
    String ns = Sandbox.shop(client);
    Sandbox.settledCheckout(client, ns);
    String id = RolloutFlowTest.createByRest(boundedQueryBody(ns, 'd', "pass"));
    awaitPhase(id, RolloutPhase.WATCHING);
    // A few analysis intervals (500 ms in the tests) of the window, all passing.
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(10))
        .until(() -> rollouts.get(id).phase == RolloutPhase.WATCHING);
    assertThat(Sandbox.endWatchWindows(ns)).isEqualTo(1);
    Rollout done = awaitPhase(id, RolloutPhase.SUCCEEDED);
    assertThat(done.revertReason).isNull();
    assertThat(stableImage(ns)).isEqualTo(Sandbox.image("", 'd'));
  }

  void rotateSecret(String ns) {
    client
        .secrets()
        .inNamespace(ns)
        .withName("checkout-db")
        .edit(
            sec -> {
              sec.getData().put("password", ROTATED);
              return sec;
            });
  }

  static final String ROTATED = "cm90YXRlZC0y";

  /**
   * A Secret rotated by its owner during the watch window is not the rollout's to undo: by default
   * the revert keeps it, restores the Deployment, and reports the rotation as drift.
   */
  @Test
  void aSecretRotatedInTheWindowIsKeptAndReportedAsDrift() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = promote(ns, Sandbox.image("", 'e'));
      rotateSecret(ns);
      rollouts.command(id, RolloutService.Command.ABORT, "test");
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertEvidence)
          .anySatisfy(
              e -> {
                assertThat(e.check()).isEqualTo("config-drift");
                assertThat(e.subject()).isEqualTo("Secret/checkout-db");
                assertThat(e.observed()).isEqualTo("changed since the checkpoint");
                assertThat(e.threshold()).isEqualTo("kept (policy configDrift: keep)");
              })
          .noneSatisfy(e -> assertThat(e.subject()).isEqualTo("ConfigMap/checkout-config"));
      JsonNode event = revertedEvent(probe, id);
      assertThat(event.path("evidence").toString())
          .contains("config-drift")
          .contains("Secret/checkout-db")
          .doesNotContain(ROTATED)
          .doesNotContain("c2VjcmV0LTE=");
      assertRestored(ns, before);
      assertThat(client.secrets().inNamespace(ns).withName("checkout-db").get().getData())
          .containsEntry("password", ROTATED);
      assertThat(reverted.restored).doesNotContain("Secret/checkout-db");
    }
  }

  /** A policy with configDrift: restore puts the rotated Secret back, and says so. */
  @Test
  void aPolicyThatRestoresDriftPutsTheRotatedSecretBack() {
    String ns = Sandbox.shop(client);
    Deployment before = Sandbox.settledCheckout(client, ns);
    client
        .resource(
            """
            apiVersion: patchops.dev/v1alpha1
            kind: PatchRolloutPolicy
            metadata:
              name: restore-drift
            spec:
              selector: {matchLabels: {app: checkout}}
              configDrift: restore
            """)
        .inNamespace(ns)
        .create();
    String id = promote(ns, Sandbox.image("", 'f'));
    assertThat(rollouts.get(id).restoreConfigDrift).isTrue();
    rotateSecret(ns);
    rollouts.command(id, RolloutService.Command.ABORT, "test");
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e -> {
              assertThat(e.check()).isEqualTo("config-drift");
              assertThat(e.subject()).isEqualTo("Secret/checkout-db");
              assertThat(e.threshold()).isEqualTo("restored to the checkpoint");
            });
    assertRestored(ns, before);
    assertThat(client.secrets().inNamespace(ns).withName("checkout-db").get().getData())
        .containsEntry("password", "c2VjcmV0LTE=");
    assertThat(reverted.restored).contains("Secret/checkout-db");
  }
}
