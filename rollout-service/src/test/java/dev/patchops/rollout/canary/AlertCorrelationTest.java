package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.Severity;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.Labels;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Alerts reach rollouts by the labels they really carry (pod, service, app), mapped through the
 * real API server; an alert older than the rollout, or of a severity that does not revert, is
 * recorded and reverts nothing.
 */
@QuarkusTest
@WithRolloutInfra
class AlertCorrelationTest {
  static final Duration WAIT = Duration.ofSeconds(40);

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
        .until(() -> rollouts.get(id) != null && rollouts.get(id).phase == phase);
    return rollouts.get(id);
  }

  /** A rollout of checkout held at a 10 % canary step, its canary up. */
  String canaryRunning(String ns, char digit) {
    Sandbox.settledCheckout(client, ns);
    String id =
        RolloutFlowTest.approve(
            ns,
            RolloutFlowTest.ticket(),
            1,
            Sandbox.image("", digit),
            List.of(new CanaryStep(10, 600)));
    awaitPhase(id, RolloutPhase.PROGRESSING);
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.apps().deployments().inNamespace(ns).withName("checkout-canary").get()
                    != null);
    return id;
  }

  static void alert(Map<String, String> labels, Severity severity, Instant startsAt) {
    Map<String, String> all = new HashMap<>(labels);
    all.put("alertname", "CheckoutErrors");
    EventSender.send(
        new AlertReceived(
            null,
            "fp-" + UUID.randomUUID(),
            "alertmanager",
            "CheckoutErrors",
            severity,
            all,
            Map.of(),
            null,
            startsAt),
        "ticket-service");
  }

  /** A Pod of the stable checkout, not of its canary. */
  Pod stablePod(String ns) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                client
                    .pods()
                    .inNamespace(ns)
                    .withLabel("app", "checkout")
                    .list()
                    .getItems()
                    .stream()
                    .anyMatch(p -> !p.getMetadata().getLabels().containsKey(Labels.ROLLOUT)));
    return client.pods().inNamespace(ns).withLabel("app", "checkout").list().getItems().stream()
        .filter(p -> !p.getMetadata().getLabels().containsKey(Labels.ROLLOUT))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aPodLabelledAlertRevertsTheRolloutOfItsDeploymentAndNoOther() {
    String ns = Sandbox.shop(client);
    String other = Sandbox.shop(client);
    String id = canaryRunning(ns, '1');
    String otherId = canaryRunning(other, '1');
    String pod = stablePod(ns).getMetadata().getName();

    alert(Map.of("namespace", ns, "pod", pod), Severity.SEV2, Instant.now());

    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertTrigger).isEqualTo(RevertTrigger.ALERT);
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e -> {
              assertThat(e.check()).isEqualTo("alert-target");
              assertThat(e.subject())
                  .startsWith("pod " + ns + "/" + pod + " -> ReplicaSet checkout-")
                  .endsWith("-> Deployment checkout");
            });
    assertThat(rollouts.get(otherId).phase).isEqualTo(RolloutPhase.PROGRESSING);
    // Rollouts share the JVM with other test classes that count the active ones: end it.
    rollouts.command(otherId, RolloutService.Command.ABORT, "test");
    awaitPhase(otherId, RolloutPhase.REVERTED);
  }

  @Test
  void anAlertOnACanaryPodRevertsTheRolloutThatMadeIt() {
    String ns = Sandbox.shop(client);
    String id = canaryRunning(ns, '2');
    await()
        .atMost(WAIT)
        .until(
            () ->
                !client
                    .pods()
                    .inNamespace(ns)
                    .withLabel(Labels.ROLLOUT, id)
                    .list()
                    .getItems()
                    .isEmpty());
    String pod =
        client
            .pods()
            .inNamespace(ns)
            .withLabel(Labels.ROLLOUT, id)
            .list()
            .getItems()
            .get(0)
            .getMetadata()
            .getName();
    alert(Map.of("namespace", ns, "pod", pod), Severity.SEV1, Instant.now());
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertEvidence)
        .anySatisfy(e -> assertThat(e.subject()).endsWith("-> Deployment checkout-canary"));
  }

  @Test
  void aServiceLabelledAlertRevertsTheRolloutOfTheDeploymentItSelects() {
    String ns = Sandbox.shop(client);
    String id = canaryRunning(ns, '3');
    alert(Map.of("namespace", ns, "service", "checkout"), Severity.SEV2, Instant.now());
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e ->
                assertThat(e.subject())
                    .isEqualTo(
                        "service "
                            + ns
                            + "/checkout selects {app=checkout} -> Deployment checkout"));
  }

  @Test
  void anAppLabelledAlertRevertsTheRolloutOfTheDeploymentWithThatLabel() {
    String ns = Sandbox.shop(client);
    String id = canaryRunning(ns, '4');
    alert(Map.of("namespace", ns, "app", "checkout"), Severity.SEV2, Instant.now());
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e ->
                assertThat(e.subject())
                    .isEqualTo("app=checkout in " + ns + " -> Deployment checkout"));
  }

  @Test
  void anAlertOfAnotherAppOrAMalformedLabelRevertsNothing() throws Exception {
    String ns = Sandbox.shop(client);
    String id = canaryRunning(ns, '5');
    alert(Map.of("namespace", ns, "app", "cart"), Severity.SEV1, Instant.now());
    alert(Map.of("namespace", ns, "pod", "<script>"), Severity.SEV1, Instant.now());
    alert(Map.of("namespace", ns, "service", "no-such-service"), Severity.SEV1, Instant.now());
    // A marker behind them on the same path: once it has reverted, the three were handled.
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      alert(Map.of("namespace", ns, "app", "checkout"), Severity.SEV1, Instant.now());
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertEvidence)
          .anySatisfy(e -> assertThat(e.subject()).startsWith("app=checkout"));
      assertThat(
              probe.collect(
                  r ->
                      EventType.ROLLOUT_REVERTED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
                  2,
                  Duration.ofSeconds(2)))
          .hasSize(1);
    }
  }

  /**
   * An alert storm's alerts are about other workloads: each is checked and acknowledged without a
   * transaction, an inbox row or an API lookup, and the canary's own alert behind them still
   * reverts it.
   */
  @Test
  void alertsThatCanReachNoRunningRolloutAreSkippedWithoutAnInboxRow() throws Exception {
    String ns = Sandbox.shop(client);
    String id = canaryRunning(ns, '7');
    double skippedBefore = notActedOn();
    String otherDeployment =
        EventSender.send(
            new AlertReceived(
                null,
                "fp-" + UUID.randomUUID(),
                "alertmanager",
                "CatalogErrors",
                Severity.SEV1,
                Map.of("alertname", "CatalogErrors", "namespace", ns, "deployment", "catalog"),
                Map.of(),
                new dev.patchops.contract.model.WorkloadRef(ns, "Deployment", "catalog"),
                Instant.now()),
            "ticket-service");
    String otherNamespace =
        EventSender.send(
            new AlertReceived(
                null,
                "fp-" + UUID.randomUUID(),
                "alertmanager",
                "CheckoutErrors",
                Severity.SEV1,
                Map.of("alertname", "CheckoutErrors", "namespace", "elsewhere", "pod", "c-1"),
                Map.of(),
                null,
                Instant.now()),
            "ticket-service");
    await("both acknowledged as reaching no rollout")
        .atMost(WAIT)
        .until(() -> notActedOn() >= skippedBefore + 2);
    alert(Map.of("namespace", ns, "app", "checkout"), Severity.SEV1, Instant.now());
    awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(inboxRows(otherDeployment)).as("another Deployment's alert").isZero();
    assertThat(inboxRows(otherNamespace)).as("another namespace's alert").isZero();
  }

  @Inject io.agroal.api.AgroalDataSource dataSource;
  @Inject io.micrometer.core.instrument.MeterRegistry registry;

  double notActedOn() {
    var counter =
        registry
            .find("patchops.inbox.events")
            .tag("consumer", "rollout-service.alerts")
            .tag("outcome", "NOT_ACTED_ON")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  int inboxRows(String eventId) throws Exception {
    try (var c = dataSource.getConnection();
        var st = c.prepareStatement("select count(*) from inbox_event where event_id = ?")) {
      st.setString(1, eventId);
      try (var rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Test
  void anOlderAlertAndANonRevertingSeverityAreRecordedNotActedOn() throws Exception {
    String ns = Sandbox.shop(client);
    String id = canaryRunning(ns, '6');
    Rollout running = rollouts.get(id);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      alert(
          Map.of("namespace", ns, "app", "checkout"),
          Severity.SEV1,
          running.createdAt.minus(Duration.ofMinutes(30)));
      alert(Map.of("namespace", ns, "service", "checkout"), Severity.SEV3, Instant.now());
      List<JsonNode> ignored =
          probe
              .collect(
                  r ->
                      EventType.ROLLOUT_ALERT_IGNORED
                              .type()
                              .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                          && running.ticketId.equals(r.key()),
                  2,
                  WAIT)
              .stream()
              .map(
                  r -> {
                    try {
                      return RolloutFlowTest.json(r);
                    } catch (Exception e) {
                      throw new IllegalStateException(e);
                    }
                  })
              .toList();
      assertThat(ignored)
          .hasSize(2)
          .allSatisfy(e -> assertThat(e.path("rolloutId").asText()).isEqualTo(id))
          .anySatisfy(
              e -> {
                assertThat(e.path("reason").asText()).isEqualTo(AlertRules.STARTED_BEFORE);
                assertThat(e.path("correlation").asText()).startsWith("app=checkout");
              })
          .anySatisfy(
              e -> {
                assertThat(e.path("reason").asText()).isEqualTo(AlertRules.SEVERITY);
                assertThat(e.path("severity").asText()).isEqualTo("SEV3");
                assertThat(e.path("correlation").asText()).startsWith("service " + ns);
              });
    }
    assertThat(rollouts.get(id).phase).isEqualTo(RolloutPhase.PROGRESSING);
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
        .isNotNull();
    rollouts.command(id, RolloutService.Command.ABORT, "test");
    awaitPhase(id, RolloutPhase.REVERTED);
  }
}
