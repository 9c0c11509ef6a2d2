package dev.patchops.rollout.canary;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.LocalHttp;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.Labels;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.rollout.canary.messaging.RolloutEventsConsumer;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.ApiFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * Rollouts end to end on real Kafka, PostgreSQL and Kubernetes control plane, with the simulated
 * kubelet.
 */
@QuarkusTest
@WithRolloutInfra
class RolloutFlowTest {
  static final Duration WAIT = Duration.ofSeconds(40);
  static final List<CanaryStep> TWO_STEPS = List.of(new CanaryStep(25, 1), new CanaryStep(50, 1));

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject io.micrometer.core.instrument.MeterRegistry registry;
  @Inject RolloutService rollouts;
  @Inject dev.patchops.rollout.checkpoint.Checkpoints checkpoints;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  static String ticket() {
    return "TCK-" + UUID.randomUUID().toString().substring(0, 8);
  }

  static String approve(
      String ns, String ticketId, int revision, String image, List<CanaryStep> steps) {
    return approve(ns, ticketId, revision, image, steps, UUID.randomUUID().toString());
  }

  /** Sends the approval with the CloudEvents id given; the same id again is a redelivery. */
  static String approve(
      String ns,
      String ticketId,
      int revision,
      String image,
      List<CanaryStep> steps,
      String eventId) {
    EventSender.send(
        new PatchApproved(
            ticketId,
            revision,
            "ann-approver",
            "dev-dana",
            false,
            null,
            image,
            List.of(new ContainerTarget(new WorkloadRef(ns, "Deployment", "checkout"), "app")),
            steps,
            Instant.now()),
        "ticket-service",
        eventId);
    return RolloutEventsConsumer.eventRolloutId(
        eventId, new WorkloadRef(ns, "Deployment", "checkout"));
  }

  /** A rollout started over REST by an SRE, for an approval of just what it asks; its id. */
  static String createByRest(String body) {
    Approvals.approveRequest(body);
    return given()
        .header("Authorization", TestInfra.bearer("sam", "sre"))
        .contentType("application/json")
        .body(body)
        .post("/api/v1/rollouts")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  /** The image the stable Deployment's app container runs now. */
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

  Rollout awaitPhase(String id, RolloutPhase phase) {
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> rollouts.get(id) != null && rollouts.get(id).phase == phase);
    return rollouts.get(id);
  }

  static List<String> types(List<ConsumerRecord<String, byte[]>> records) {
    return records.stream()
        .map(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
        .map(t -> t.substring(EventType.TYPE_PREFIX.length(), t.length() - 3))
        .toList();
  }

  static JsonNode json(ConsumerRecord<String, byte[]> r) throws Exception {
    return ContractJson.mapper().readTree(r.value());
  }

  static List<ConsumerRecord<String, byte[]>> eventsOf(
      KafkaProbe probe, String ticketId, String lastType, Duration timeout) {
    java.util.ArrayList<ConsumerRecord<String, byte[]>> seen = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      var batch = probe.collect(r -> ticketId.equals(r.key()), 1, Duration.ofMillis(200));
      seen.addAll(batch);
      if (seen.stream()
          .anyMatch(r -> lastType.equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))) {
        break;
      }
    }
    return seen;
  }

  /** The live workload equals the checkpoint, config included, and no canary object is left. */
  void assertRestoredExactly(String ns, String rolloutId, Deployment before) {
    Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    assertThat(Snapshot.specHash(live)).isEqualTo(Snapshot.specHash(before));
    assertThat(live.getSpec()).isEqualTo(before.getSpec());
    assertThat(live.getMetadata().getLabels()).isEqualTo(before.getMetadata().getLabels());
    // Annotations as the owner wrote them, on the object and on the pod template; the controller's
    // revision annotation is its own and moves with every rollout.
    Deployment checkpointed = checkpoints.load(rolloutId).deployment();
    assertThat(Snapshot.annotations(live, false))
        .isEqualTo(checkpointed.getMetadata().getAnnotations())
        .isEqualTo(Map.of("owner", "payments-team"));
    assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations())
        .isEqualTo(checkpointed.getSpec().getTemplate().getMetadata().getAnnotations());
    assertThat(live.getSpec().getTemplate().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(checkpoints.row(rolloutId).specHash).isEqualTo(Snapshot.specHash(before));
    assertThat(client.configMaps().inNamespace(ns).withName("checkout-config").get().getData())
        .isEqualTo(Map.of("PAYMENT_TIMEOUT_MS", "800", "FEATURE_FAST_PAY", "off"));
    assertThat(client.secrets().inNamespace(ns).withName("checkout-db").get().getData())
        .isEqualTo(Map.of("password", "c2VjcmV0LTE="));
    Sandbox.assertNoCanaryLeft(client, ns, rolloutId);
  }

  /** The checkpoint holds the Secret sealed; neither its table nor the outbox has it in clear. */
  static void assertSecretNeverStoredInClear(String rolloutId) throws Exception {
    try (var c = TestInfra.superuserConnection();
        var st =
            c.prepareStatement(
                "select deployment::text || config_maps::text, sealed_secrets from checkpoint"
                    + " where rollout_id = ?")) {
      st.setString(1, rolloutId);
      try (var rs = st.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).contains("checkout-config").doesNotContain("c2VjcmV0LTE=");
        byte[] sealed = rs.getBytes(2);
        assertThat(sealed).isNotNull();
        String asText = new String(sealed, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(asText).doesNotContain("c2VjcmV0LTE=").doesNotContain("checkout-db");
      }
    }
    try (var c = TestInfra.superuserConnection();
        var st =
            c.prepareStatement(
                "select count(*) from outbox_event where payload::text like '%c2VjcmV0LTE=%'");
        var rs = st.executeQuery()) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void approvedPatchGoesThroughEveryStepToPromotionAndWatchPassed() throws Exception {
    String ns = Sandbox.shop(client);
    String ticketId = ticket();
    String image = Sandbox.image("", 'b');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = approve(ns, ticketId, 1, image, TWO_STEPS);
      // Mid-rollout: the canary runs the patch beside an untouched stable Deployment.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  client.apps().deployments().inNamespace(ns).withName("checkout-canary").get()
                      != null);
      Deployment canary =
          client.apps().deployments().inNamespace(ns).withName("checkout-canary").get();
      assertThat(canary.getSpec().getTemplate().getSpec().getContainers())
          .extracting(c -> c.getName() + "=" + c.getImage())
          .containsExactly(
              "app=" + image, "sidecar=registry.example/envoy@sha256:" + "e".repeat(64));
      assertThat(canary.getSpec().getTemplate().getMetadata().getLabels())
          .containsEntry("app", "checkout")
          .containsEntry(Labels.TRACK, Labels.CANARY);
      assertThat(canary.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, "patchops");
      assertThat(stableImage(ns)).isEqualTo(Sandbox.STABLE_IMAGE);

      awaitPhase(id, RolloutPhase.WATCHING);
      assertThat(Sandbox.endWatchWindows(ns)).isEqualTo(1);
      Rollout done = awaitPhase(id, RolloutPhase.SUCCEEDED);
      assertThat(done.finishedAt).isNotNull();
      List<ConsumerRecord<String, byte[]>> events =
          eventsOf(probe, ticketId, EventType.WATCH_WINDOW_PASSED.type(), WAIT);
      assertThat(types(events))
          .containsExactly(
              "rollout.checkpoint-recorded",
              "rollout.canary-step-started",
              "rollout.canary-step-passed",
              "rollout.canary-step-started",
              "rollout.canary-step-passed",
              "rollout.promoted",
              "rollout.watch-window-passed");
      JsonNode checkpoint = json(events.get(0));
      assertThat(checkpoint.path("specHash").asText()).hasSize(64);
      assertThat(checkpoint.path("configHashes").has("ConfigMap/checkout-config")).isTrue();
      assertThat(checkpoint.path("configHashes").has("Secret/checkout-db")).isTrue();
      assertThat(checkpoint.path("configHashes").has("ConfigMap/unrelated")).isFalse();
      assertThat(KafkaProbe.value(events.get(0)))
          .doesNotContain("c2VjcmV0LTE=")
          .doesNotContain("secret-1");
      assertThat(json(events.get(1)).path("weight").asInt()).isEqualTo(25);
      assertThat(json(events.get(3)).path("weight").asInt()).isEqualTo(50);
      assertThat(json(events.get(2)).path("evidence").toString()).contains("canary-ready");

      Deployment stable = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(stable.getSpec().getTemplate().getSpec().getContainers())
          .extracting(c -> c.getName() + "=" + c.getImage())
          .containsExactly(
              "app=" + image, "sidecar=registry.example/envoy@sha256:" + "e".repeat(64));
      assertThat(stable.getSpec().getReplicas()).isEqualTo(4);
      assertThat(
              client
                  .apps()
                  .deployments()
                  .inNamespace(ns)
                  .withLabel(Labels.TRACK, Labels.CANARY)
                  .list()
                  .getItems())
          .isEmpty();

      PatchRollout cr =
          client.resources(PatchRollout.class).inNamespace(ns).withName(done.crName).get();
      assertThat(cr.getSpec().ticketId).isEqualTo(ticketId);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  "SUCCEEDED"
                      .equals(
                          client
                              .resources(PatchRollout.class)
                              .inNamespace(ns)
                              .withName(done.crName)
                              .get()
                              .getStatus()
                              .phase));
      cr = client.resources(PatchRollout.class).inNamespace(ns).withName(done.crName).get();
      assertThat(cr.getStatus().observedGeneration).isEqualTo(cr.getMetadata().getGeneration());
      assertThat(cr.getStatus().checkpoint)
          .isEqualTo(checkpoint.path("specHash").asText().substring(0, 12));
      assertThat(cr.getStatus().conditions)
          .filteredOn(c -> c.getType().equals("Promoted"))
          .singleElement()
          .satisfies(c -> assertThat(c.getStatus()).isEqualTo("True"));
      // The notifier posts from its own thread: wait for the post, do not race it.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(LocalHttp.NOTIFICATIONS)
                      .anySatisfy(
                          n -> assertThat(n).contains("promoted").contains(id).contains("blocks")));
    }
  }

  @Test
  void redeliveredApprovalStartsOneRollout() {
    String ns = Sandbox.shop(client);
    String ticketId = ticket();
    String eventId = UUID.randomUUID().toString();
    String id = approve(ns, ticketId, 1, Sandbox.image("", 'c'), TWO_STEPS, eventId);
    approve(ns, ticketId, 1, Sandbox.image("", 'c'), TWO_STEPS, eventId);
    awaitPhase(id, RolloutPhase.PROGRESSING);
    given()
        .header("Authorization", TestInfra.bearer("sam", "sre"))
        .get("/api/v1/rollouts?ticketId=" + ticketId)
        .then()
        .statusCode(200)
        .body("size()", equalTo(1))
        .body("[0].id", equalTo(id))
        // The list shows the checkpoint a GET of the rollout shows.
        .body(
            "[0].checkpoint.id",
            equalTo(
                given()
                    .header("Authorization", TestInfra.bearer("sam", "sre"))
                    .get("/api/v1/rollouts/" + id)
                    .then()
                    .extract()
                    .path("checkpoint.id")))
        .body("[0].checkpoint.id", org.hamcrest.Matchers.notNullValue());
    rollouts.command(id, RolloutService.Command.ABORT, "test");
    awaitPhase(id, RolloutPhase.REVERTED);
  }

  @Test
  void unreadyCanaryRevertsToTheExactCheckpointConfigurationIncluded() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    // Configuration changed by others is kept by default (WatchWindowTest); this policy restores
    // it.
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
    String ticketId = ticket();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id = approve(ns, ticketId, 1, Sandbox.image(Sandbox.UNREADY, 'd'), TWO_STEPS);
      awaitPhase(id, RolloutPhase.PROGRESSING);
      // A bad configuration push during the canary: the revert must undo it as well.
      client
          .configMaps()
          .inNamespace(ns)
          .withName("checkout-config")
          .edit(
              cm -> {
                cm.getData().put("PAYMENT_TIMEOUT_MS", "1");
                return cm;
              });
      client
          .secrets()
          .inNamespace(ns)
          .withName("checkout-db")
          .edit(
              s -> {
                s.getData().put("password", "d3Jvbmc=");
                return s;
              });
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertReason).contains("canary not ready within 4 s");
      assertThat(reverted.revertEvidence)
          .filteredOn(e -> e.check().equals("config-drift"))
          .extracting(e -> e.subject() + ": " + e.threshold())
          .containsExactlyInAnyOrder(
              "ConfigMap/checkout-config: restored to the checkpoint",
              "Secret/checkout-db: restored to the checkpoint");
      assertSecretNeverStoredInClear(id);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(LocalHttp.NOTIFICATIONS)
                      .anySatisfy(n -> assertThat(n).contains("reverting").contains(id))
                      .anySatisfy(
                          n -> assertThat(n).contains("reverted and verified").contains(id)));
      assertRestoredExactly(ns, id, before);
      List<ConsumerRecord<String, byte[]>> events =
          eventsOf(probe, ticketId, EventType.REVERT_COMPLETED.type(), WAIT);
      assertThat(types(events))
          .contains("rollout.canary-step-failed", "rollout.reverted", "rollout.revert-completed");
      JsonNode completed = json(events.get(events.size() - 1));
      assertThat(completed.path("verified").asBoolean()).isTrue();
      assertThat(completed.path("restored").toString())
          .contains("ConfigMap/checkout-config")
          .contains("Secret/checkout-db");
      // Timestamps, not just text: a JSON null reads as "null" through asText().
      assertThat(completed.path("detectedAt").isTextual()).isTrue();
      assertThat(completed.path("restoreIssuedAt").isTextual()).isTrue();
      Instant detected = Instant.parse(completed.path("detectedAt").asText());
      Instant issued = Instant.parse(completed.path("restoreIssuedAt").asText());
      Instant done = Instant.parse(completed.path("completedAt").asText());
      assertThat(detected).isBeforeOrEqualTo(issued);
      assertThat(issued).isBeforeOrEqualTo(done);
      assertThat(completed.path("durationMs").asLong())
          .as("durationMs is detection to completion")
          .isCloseTo(java.time.Duration.between(detected, done).toMillis(), within(1L));
      JsonNode failed =
          json(
              events.stream()
                  .filter(
                      r ->
                          KafkaProbe.header(r, CloudEventHeaders.TYPE)
                              .equals(EventType.CANARY_STEP_FAILED.type()))
                  .findFirst()
                  .orElseThrow());
      assertThat(failed.path("evidence").toString()).contains("canary-ready").contains("0/1");
    }
  }

  @Test
  void restartStormRevertsWithTheRestartsAsEvidence() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String id = approve(ns, ticket(), 1, Sandbox.image(Sandbox.CRASHLOOP, 'e'), TWO_STEPS);
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertReason).contains("CrashLoopBackOff");
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e -> {
              assertThat(e.check()).isEqualTo("restarts");
              assertThat(e.observed()).isEqualTo("5");
              assertThat(e.passed()).isFalse();
            });
    assertRestoredExactly(ns, id, before);
  }

  @Test
  void prometheusThresholdRevertsWithTheQueryAndValue() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String query =
        "sum(rate(http_requests_total{namespace=\""
            + ns
            + "\",pod=~\"checkout-canary-.*\",code=~\"5..\"}[1m]))";
    LocalHttp.PROMETHEUS.put(query, LocalHttp.vector("0.07"));
    String body =
        """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":20,"pauseSeconds":2}],
         "analysis":{"prometheusUrl":"%s","queries":[{"name":"error-rate",
           "query":"sum(rate(http_requests_total{namespace=\\"{{namespace}}\\",pod=~\\"{{canary}}-.*\\",code=~\\"5..\\"}[1m]))",
           "max":0.01}]}}
        """
            .formatted(ticket(), Sandbox.image("", 'f'), ns, LocalHttp.url());
    String id = createByRest(body);
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertReason).contains("prometheus:error-rate = 0.07");
    assertThat(reverted.revertEvidence)
        .anySatisfy(
            e -> {
              assertThat(e.subject()).isEqualTo(query);
              assertThat(e.observed()).isEqualTo("0.07");
              assertThat(e.threshold()).isEqualTo("<= 0.01");
            });
    assertRestoredExactly(ns, id, before);
  }

  @Test
  void firingAlertDuringAStepRevertsAtOnce() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String ticketId = ticket();
    String id = approve(ns, ticketId, 1, Sandbox.image("", '1'), List.of(new CanaryStep(10, 600)));
    awaitPhase(id, RolloutPhase.PROGRESSING);
    await()
        .atMost(WAIT)
        .until(
            () ->
                client.apps().deployments().inNamespace(ns).withName("checkout-canary").get()
                    != null);
    EventSender.send(
        new AlertReceived(
            null,
            "fp-" + ticketId,
            "alertmanager",
            "CheckoutErrorRate",
            Severity.SEV2,
            Map.of("namespace", ns, "deployment", "checkout"),
            Map.of(),
            new WorkloadRef(ns, "Deployment", "checkout"),
            Instant.now()),
        "ticket-service");
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertTrigger).isEqualTo(dev.patchops.contract.model.RevertTrigger.ALERT);
    assertThat(reverted.revertEvidence)
        .anySatisfy(e -> assertThat(e.subject()).isEqualTo("fp-" + ticketId));
    assertRestoredExactly(ns, id, before);
  }

  @Test
  void firingAlertInTheWatchWindowRevertsThePromotedPatch() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String ticketId = ticket();
    String id = approve(ns, ticketId, 1, Sandbox.image("", '2'), List.of(new CanaryStep(50, 0)));
    awaitPhase(id, RolloutPhase.WATCHING);
    assertThat(stableImage(ns)).isEqualTo(Sandbox.image("", '2'));
    EventSender.send(
        new AlertReceived(
            ticketId,
            "fp-w-" + ticketId,
            "grafana",
            "CheckoutLatency",
            Severity.SEV2,
            Map.of(),
            Map.of(),
            null,
            Instant.now()),
        "ticket-service");
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertTrigger)
        .isEqualTo(dev.patchops.contract.model.RevertTrigger.WATCH_WINDOW_ALERT);
    assertRestoredExactly(ns, id, before);
  }

  @Test
  void anAutoscaledDeploymentKeepsItsReplicasWhenTheRestIsReverted() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .resource(
            new io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withName("checkout-hpa")
                .withNamespace(ns)
                .endMetadata()
                .withNewSpec()
                .withMinReplicas(2)
                .withMaxReplicas(10)
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName("checkout")
                .endScaleTargetRef()
                .endSpec()
                .build())
        .create();
    String ticketId = ticket();
    String id = approve(ns, ticketId, 1, Sandbox.image("", '3'), List.of(new CanaryStep(50, 0)));
    awaitPhase(id, RolloutPhase.WATCHING);
    // Load grows after the promotion and the autoscaler adds replicas; then an alert fires.
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("checkout")
        .edit(
            d -> {
              d.getSpec().setReplicas(7);
              return d;
            });
    EventSender.send(
        new AlertReceived(
            ticketId,
            "fp-hpa-" + ticketId,
            "alertmanager",
            "CheckoutLatency",
            Severity.SEV2,
            Map.of(),
            Map.of(),
            null,
            Instant.now()),
        "ticket-service");
    awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(checkpoints.row(id).replicasManagedBy).isEqualTo("checkout-hpa");
    Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    assertThat(live.getSpec().getReplicas()).isEqualTo(7);
    assertThat(live.getSpec().getTemplate()).isEqualTo(before.getSpec().getTemplate());
    assertThat(live.getSpec().getStrategy()).isEqualTo(before.getSpec().getStrategy());
  }

  @Test
  void restControlsPausePromoteAndAbort() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String sre = TestInfra.bearer("sam", "sre");
    String body =
        """
        {"ticketId":"%s","revision":2,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":10,"pauseSeconds":600},{"weight":30,"pauseSeconds":600},{"weight":60,"pauseSeconds":600}]}
        """
            .formatted(ticket(), Sandbox.image("", '3'), ns);
    String id = createByRest(body);
    awaitPhase(id, RolloutPhase.PROGRESSING);
    given()
        .header("Authorization", sre)
        .post("/api/v1/rollouts/" + id + "/pause")
        .then()
        .statusCode(200)
        .body("paused", equalTo(true));
    given()
        .header("Authorization", sre)
        .post("/api/v1/rollouts/" + id + "/promote")
        .then()
        .statusCode(200);
    await().atMost(WAIT).until(() -> rollouts.get(id).stepIndex == 1);
    given()
        .header("Authorization", TestInfra.bearer("eve", "engineer"))
        .post("/api/v1/rollouts/" + id + "/promote")
        .then()
        .statusCode(403);
    // Someone annotates the stable Deployment mid-canary, its pod template too (a restart): the
    // revert must put back the checkpoint's annotations, not only its spec and labels.
    client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("checkout")
        .edit(
            d -> {
              d.getMetadata().getAnnotations().put("owner", "someone-else");
              d.getMetadata().getAnnotations().put("note", "hand edit");
              d.getSpec()
                  .getTemplate()
                  .getMetadata()
                  .setAnnotations(
                      Map.of("kubectl.kubernetes.io/restartedAt", "2026-12-05T00:00:00Z"));
              return d;
            });
    given()
        .header("Authorization", TestInfra.bearer("eve", "engineer"))
        .post("/api/v1/rollouts/" + id + "/abort")
        .then()
        .statusCode(200);
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertTrigger)
        .isEqualTo(dev.patchops.contract.model.RevertTrigger.MANUAL_ABORT);
    assertThat(reverted.revertReason).contains("eve");
    assertRestoredExactly(ns, id, before);
    given()
        .header("Authorization", sre)
        .post("/api/v1/rollouts/" + id + "/pause")
        .then()
        .statusCode(409)
        .contentType(containsString("problem+json"));
  }

  @Test
  void eachStepSizesTheCanaryBesideTheWholeStableDeployment() {
    String ns = Sandbox.shop(client);
    // The canary's share of all ready replicas is as close to the step's weight as Pods allow, and
    // the stable never has fewer than its 4 (CanaryScale, tolerance 5 points, 3 extra at most):
    // 10 % beside 4 would be 1/5 = 20 %, so the stable gets 3 more for 1/8 = 12.5 %; 30 % is 2
    // beside 4 = 33 %; 60 % is 6 beside 4, exactly.
    int[] canaryReplicas = {1, 2, 6};
    int[] stableReplicas = {7, 4, 4};
    String id =
        approve(
            ns,
            ticket(),
            1,
            Sandbox.image("", '8'),
            List.of(new CanaryStep(10, 600), new CanaryStep(30, 600), new CanaryStep(60, 600)));
    for (int step = 0; step < canaryReplicas.length; step++) {
      int index = step;
      int expected = canaryReplicas[step];
      int expectedStable = stableReplicas[step];
      await()
          .atMost(WAIT)
          .until(() -> rollouts.get(id) != null && rollouts.get(id).stepIndex == index);
      // As the API server has them, sized and then ready through the Deployment controller.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Deployment canary =
                    client.apps().deployments().inNamespace(ns).withName("checkout-canary").get();
                assertThat(canary).isNotNull();
                assertThat(canary.getSpec().getReplicas()).as("step %d", index).isEqualTo(expected);
                assertThat(canary.getStatus().getReadyReplicas())
                    .as("ready at step %d", index)
                    .isEqualTo(expected);
                Deployment stable =
                    client.apps().deployments().inNamespace(ns).withName("checkout").get();
                assertThat(stable.getSpec().getReplicas()).isEqualTo(expectedStable);
                assertThat(stable.getStatus().getReadyReplicas()).isEqualTo(expectedStable);
              });
      // Nothing moves the step on but the command: the sizes are those of this step.
      assertThat(rollouts.get(id).stepIndex).isEqualTo(index);
      if (index < canaryReplicas.length - 1) {
        rollouts.command(id, RolloutService.Command.PROMOTE, "test");
      }
    }
    rollouts.command(id, RolloutService.Command.ABORT, "test");
    awaitPhase(id, RolloutPhase.REVERTED);
    Sandbox.assertNoCanaryLeft(client, ns, id);
  }

  @Test
  void promoteAllSkipsTheRemainingSteps() {
    String ns = Sandbox.shop(client);
    String sre = TestInfra.bearer("sam", "sre");
    String body =
        """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
         "containers":["app"],"steps":[{"weight":10,"pauseSeconds":600},{"weight":30,"pauseSeconds":600}]}
        """
            .formatted(ticket(), Sandbox.image("", '4'), ns);
    String id = createByRest(body);
    awaitPhase(id, RolloutPhase.PROGRESSING);
    given()
        .header("Authorization", sre)
        .post("/api/v1/rollouts/" + id + "/promote?full=true")
        .then()
        .statusCode(200);
    awaitPhase(id, RolloutPhase.WATCHING);
    assertThat(Sandbox.endWatchWindows(ns)).isEqualTo(1);
    awaitPhase(id, RolloutPhase.SUCCEEDED);
    assertThat(stableImage(ns)).isEqualTo(Sandbox.image("", '4'));
  }

  @Test
  void aSecondRolloutOfTheSameWorkloadIsRefusedWithTheReason() {
    String ns = Sandbox.shop(client);
    String sre = TestInfra.bearer("sam", "sre");
    String first =
        approve(ns, ticket(), 1, Sandbox.image("", '5'), List.of(new CanaryStep(10, 600)));
    awaitPhase(first, RolloutPhase.PROGRESSING);
    String body =
        """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout","containers":["app"]}
        """
            .formatted(ticket(), Sandbox.image("", '6'), ns);
    Approvals.approveRequest(body);
    given()
        .header("Authorization", sre)
        .contentType("application/json")
        .body(body)
        .post("/api/v1/rollouts")
        .then()
        .statusCode(409)
        .contentType(containsString("application/problem+json"))
        .body("detail", containsString(first));
    Rollout refused;
    String second;
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      second = approve(ns, ticket(), 1, Sandbox.image("", '7'), List.of());
      refused = awaitPhase(second, RolloutPhase.REFUSED);
      var notStarted =
          probe.collect(
              r ->
                  EventType.ROLLOUT_NOT_STARTED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                      && KafkaProbe.value(r).contains(second),
              1,
              WAIT);
      assertThat(KafkaProbe.value(notStarted.get(0)))
          .contains("already has active rollout " + first);
    }
    assertThat(refused.message).contains("already has active rollout " + first);
    rollouts.command(first, RolloutService.Command.ABORT, "test");
    awaitPhase(first, RolloutPhase.REVERTED);
    // Approved again once the workload is free: a new approval, so a new rollout.
    String again =
        approve(ns, refused.ticketId, 1, Sandbox.image("", '7'), List.of(new CanaryStep(10, 600)));
    assertThat(again).isNotEqualTo(second);
    awaitPhase(again, RolloutPhase.PROGRESSING);
    rollouts.command(again, RolloutService.Command.ABORT, "test");
    awaitPhase(again, RolloutPhase.REVERTED);
  }

  @Test
  void aDeploymentThatOnlySharesTheCanaryNameIsNeverTouched() {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    Deployment impostor =
        new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
            .withNewMetadata()
            .withName("checkout-canary")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withReplicas(2)
            .withNewSelector()
            .withMatchLabels(Map.of("app", "someone-elses"))
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(Map.of("app", "someone-elses"))
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("x")
            .withImage("registry.example/x@sha256:" + "b".repeat(64))
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    client.apps().deployments().inNamespace(ns).resource(impostor).create();
    String id = approve(ns, ticket(), 1, Sandbox.image("", '6'), List.of(new CanaryStep(10, 600)));
    Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
    assertThat(reverted.revertReason).contains("is not this rollout's canary");
    Deployment still =
        client.apps().deployments().inNamespace(ns).withName("checkout-canary").get();
    assertThat(still).isNotNull();
    assertThat(still.getSpec().getReplicas()).isEqualTo(2);
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout").get().getSpec())
        .isEqualTo(before.getSpec());
  }

  @Test
  void invalidRequestsNameTheField() {
    String sre = TestInfra.bearer("sam", "sre");
    given()
        .header("Authorization", sre)
        .contentType("application/json")
        .body(
            "{\"ticketId\":\"T-1\",\"revision\":1,\"image\":\"nginx:latest\",\"namespace\":\"a\",\"deployment\":\"b\",\"containers\":[\"c\"]}")
        .post("/api/v1/rollouts")
        .then()
        .statusCode(400)
        .contentType(containsString("problem+json"))
        .body(containsString("image"));
    given()
        .header("Authorization", sre)
        .contentType("application/json")
        .body(
            "{\"ticketId\":\"T-1\",\"revision\":1,\"image\":\""
                + Sandbox.image("", '8')
                + "\",\"namespace\":\"a\",\"deployment\":\"b\",\"containers\":[\"c\"],\"steps\":[{\"weight\":50,\"pauseSeconds\":1},{\"weight\":20,\"pauseSeconds\":1}]}")
        .post("/api/v1/rollouts")
        .then()
        .statusCode(400)
        .body(containsString("steps[1].weight"));
    String metadataServer =
        "{\"ticketId\":\"T-1\",\"revision\":1,\"image\":\""
            + Sandbox.image("", '8')
            + "\",\"namespace\":\"a\",\"deployment\":\"b\",\"containers\":[\"c\"],\"analysis\":{"
            + "\"prometheusUrl\":\"http://169.254.169.254/latest\",\"queries\":[{\"name\":\"q\",\"query\":\"up\",\"min\":1}]}}";
    given()
        .header("Authorization", sre)
        .contentType("application/json")
        .body(metadataServer)
        .post("/api/v1/rollouts")
        .then()
        .statusCode(400)
        .body(containsString("analysis.prometheusUrl"));
    given()
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/rollouts")
        .then()
        .statusCode(401);
    given()
        .header("Authorization", TestInfra.bearer("rita", "reporter"))
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/rollouts")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", TestInfra.bearer("al", "auditor"))
        .get("/api/v1/rollouts/nope")
        .then()
        .statusCode(404);
  }

  @Test
  void missingDeploymentFailsBeforeAnyChange() {
    String ns = Sandbox.shop(client);
    String body =
        """
        {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"ghost","containers":["app"]}
        """
            .formatted(ticket(), Sandbox.image("", '9'), ns);
    String id = createByRest(body);
    Rollout failed = awaitPhase(id, RolloutPhase.FAILED);
    assertThat(failed.message).contains("not found; nothing changed");
    assertThat(checkpoints.row(id)).isNull();
    assertThat(client.apps().deployments().inNamespace(ns).list().getItems())
        .extracting(d -> d.getMetadata().getName())
        .containsExactly("checkout");
  }

  @Test
  void apiFailuresDuringARevertAreRetriedUntilVerified() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String ticketId = ticket();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String id =
          approve(ns, ticketId, 1, Sandbox.image("", '0'), List.of(new CanaryStep(10, 600)));
      await()
          .atMost(WAIT)
          .until(
              () ->
                  client.apps().deployments().inNamespace(ns).withName("checkout-canary").get()
                      != null);
      ApiFaults.fail(
          "DELETE",
          "/apis/apps/v1/namespaces/" + ns + "/deployments/checkout-canary",
          503,
          "ServiceUnavailable",
          "etcd leader changed",
          4);
      rollouts.command(id, RolloutService.Command.ABORT, "test");
      Rollout reverted = awaitPhase(id, RolloutPhase.REVERTED);
      assertThat(reverted.revertAttempts).isEqualTo(4);
      assertRestoredExactly(ns, id, before);
      var events = eventsOf(probe, ticketId, EventType.REVERT_COMPLETED.type(), WAIT);
      JsonNode completed = json(events.get(events.size() - 1));
      assertThat(completed.path("apiFailures").asInt()).isEqualTo(4);
      assertThat(completed.path("verified").asBoolean()).isTrue();
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(LocalHttp.NOTIFICATIONS)
                      .anySatisfy(n -> assertThat(n).contains("failing").contains(id)));
    }
  }

  @Test
  void metricsExposeRevertLatencyOutcomesAndActiveRollouts() {
    // Read before and after: the meters live as long as the JVM, across every test of the class.
    // Rollouts of earlier tests end on their own (reverts) or once their watch window is over:
    // end the windows and wait them out, so the gauge can be held to exactly this rollout.
    await()
        // The gauge exists once the engine has made its first pass.
        .ignoreExceptions()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                Sandbox.endWatchWindows(null) >= 0
                    && registry.get("patchops.rollouts.active").gauge().value() == 0);
    long revertsTimed = registry.timer("patchops.rollout.revert.latency").count();
    double reverted = outcomes("reverted");
    double activeBefore = 0;
    String ns = Sandbox.shop(client);
    String id =
        approve(
            ns, ticket(), 1, Sandbox.image(Sandbox.UNREADY, '1'), List.of(new CanaryStep(10, 1)));
    await()
        .atMost(WAIT)
        .until(() -> registry.get("patchops.rollouts.active").gauge().value() == activeBefore + 1);
    awaitPhase(id, RolloutPhase.REVERTED);
    await()
        .atMost(WAIT)
        .until(() -> registry.get("patchops.rollouts.active").gauge().value() == activeBefore);
    assertThat(registry.timer("patchops.rollout.revert.latency").count())
        .as("revert latencies recorded")
        .isEqualTo(revertsTimed + 1);
    assertThat(outcomes("reverted")).as("reverted outcomes").isEqualTo(reverted + 1);
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(metrics)
        .containsPattern(
            "patchops_rollout_revert_latency_seconds_count(\\{[^}]*\\})? "
                + (revertsTimed + 1)
                + "(\\.0)?\\n");
    assertThat(metrics).contains("patchops_rollouts_active");
  }

  private double outcomes(String outcome) {
    var counter = registry.find("patchops.rollout.outcomes").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }
}
