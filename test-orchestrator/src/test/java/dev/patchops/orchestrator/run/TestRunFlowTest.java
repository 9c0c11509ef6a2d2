package dev.patchops.orchestrator.run;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.JunitLog;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.PatchProposed;
import dev.patchops.contract.events.TestEnvironmentDeleted;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRerunRequested;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRefused;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.SecretDecisionKind;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.VcsRef;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.orchestrator.Namespaces;
import dev.patchops.orchestrator.Sandbox;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.ProductionNamespace;
import dev.patchops.orchestrator.revision.Revisions;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.orchestrator.run.k8s.PatchTestWatch;
import dev.patchops.orchestrator.run.k8s.PatchTests;
import dev.patchops.platform.security.Roles;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A run end to end: request on Kafka, mirror, readiness, Jobs, analytics on Kafka, cleanup. */
@QuarkusTest
@WithOrchestratorInfra
class TestRunFlowTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject TestRunService runs;
  @Inject PatchTests patchTests;
  @Inject Revisions revisions;

  static String junit(String... failing) {
    StringBuilder xml = new StringBuilder(JunitLog.BEGIN + "\n<testsuite name='e2e'>");
    for (String name : List.of("pays", "refunds", "lists")) {
      xml.append("<testcase classname='shop.CheckoutIT' name='").append(name).append("'>");
      if (List.of(failing).contains(name)) {
        xml.append("<failure message='").append(name).append(" broke'/>");
      }
      xml.append("</testcase>");
    }
    return xml.append("</testsuite>\n").append(JunitLog.END).append('\n').toString();
  }

  private KubeletFaults kubelet() {
    return Sandbox.kubelet();
  }

  private static TestRunRequested request(
      String ticket, String source, int attempt, String suiteImage) {
    return new TestRunRequested(
        ticket,
        1,
        UUID.randomUUID().toString(),
        attempt,
        "registry.example/checkout@sha256:" + "d".repeat(64),
        List.of(new ContainerTarget(new WorkloadRef(source, "Deployment", "checkout"), "app")),
        List.of(new TestSuiteSpec("e2e", suiteImage, List.of("/run"), 60)),
        "alice",
        Instant.now());
  }

  private static <T> T payload(ConsumerRecord<String, byte[]> r, Class<T> type) {
    try {
      return ContractJson.mapper().readValue(r.value(), type);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean is(ConsumerRecord<String, byte[]> r, EventType type, String runId) {
    return type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
        && KafkaProbe.value(r).contains(runId);
  }

  @Test
  void aRequestedRunMirrorsTestsReportsAndCleansUpAndARedeliveryDoesNothingMore() {
    String ticket = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    try (KubeletFaults kubelet =
            kubelet()
                .script(
                    "e2e-fail",
                    new SimulatedKubelet.JobScript(1, Duration.ofMillis(200), junit("refunds")))
                .start();
        KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS);
        PatchTestWatch watch = PatchTestWatch.start(client, patchTests.namespace())) {
      String source = ProductionNamespace.create(client);
      TestRunRequested request = request(ticket, source, 1, "registry.example/e2e-fail:1");
      String id = UUID.randomUUID().toString();
      EventSender.send(request, "ticket-service", id);
      var redelivery = EventSender.send(request, "ticket-service", id);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                TestRun r = runs.get(request.runId());
                return r != null && r.state == RunState.CLEANED;
              });
      // Ready, completed, deleted: each once, whatever the redelivery.
      List<ConsumerRecord<String, byte[]>> all =
          probe.collect(
              r -> KafkaProbe.value(r).contains(request.runId()),
              3,
              Duration.ofSeconds(20),
              // The redelivery has gone through the inbox and every event written is sent: a
              // second copy of any of them would be in the log.
              Delivered.consumedAndSent("test-orchestrator", redelivery));
      List<ConsumerRecord<String, byte[]>> completed =
          all.stream().filter(r -> is(r, EventType.TEST_RUN_COMPLETED, request.runId())).toList();
      assertThat(completed).hasSize(1);
      TestRunCompleted done = payload(completed.get(0), TestRunCompleted.class);
      assertThat(done.outcome()).as("%s", done.analytics()).isEqualTo(TestOutcome.FAILED);
      assertThat(done.analytics().suites()).hasSize(1);
      assertThat(done.analytics().suites().get(0).failures()).isEqualTo(1);
      assertThat(done.analytics().failureMessages())
          .containsExactly("e2e / shop.CheckoutIT.refunds: refunds broke");
      assertThat(done.analytics().environmentIssues().get(0)).startsWith("mirror ready after");
      assertThat(done.analytics().readinessMs()).isNotNull().isNotNegative();
      assertThat(done.analytics().environmentIssues().get(0))
          .startsWith("mirror ready after " + done.analytics().readinessMs() + " ms");
      assertThat(done.analytics().restarts()).isZero();
      assertThat(done.analytics().secretDecisions())
          .anyMatch(
              d ->
                  d.secret().equals("db-credentials")
                      && d.decision() == SecretDecisionKind.PLACEHOLDER);

      TestRun run = runs.get(request.runId());
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> runs.get(request.runId()).state == RunState.CLEANED);
      Namespaces.awaitDeleted(client, run.namespace);
      assertThat(client.apps().deployments().inNamespace(source).list().getItems()).hasSize(10);
      assertThat(TestRun.<TestRun>list("ticketId", ticket)).hasSize(1);

      assertThat(all)
          .filteredOn(r -> is(r, EventType.TEST_ENVIRONMENT_READY, request.runId()))
          .hasSize(1);
      assertThat(
              payload(
                      all.stream()
                          .filter(r -> is(r, EventType.TEST_ENVIRONMENT_READY, request.runId()))
                          .findFirst()
                          .orElseThrow(),
                      TestEnvironmentReady.class)
                  .copiedObjects())
          .containsEntry("Deployment", 10);
      assertThat(all)
          .filteredOn(r -> is(r, EventType.TEST_ENVIRONMENT_DELETED, request.runId()))
          .hasSize(1);
      assertThat(
              payload(
                      all.stream()
                          .filter(r -> is(r, EventType.TEST_ENVIRONMENT_DELETED, request.runId()))
                          .findFirst()
                          .orElseThrow(),
                      TestEnvironmentDeleted.class)
                  .namespace())
          .isEqualTo(run.namespace);

      // kubectl's view: one PatchTest for the run, carried through its phases to the outcome.
      PatchTest test = patchTest(run.namespace);
      assertThat(test.getSpec().ticketId).isEqualTo(ticket);
      assertThat(test.getSpec().revision).isEqualTo(1);
      assertThat(test.getSpec().sourceNamespace).isEqualTo(source);
      assertThat(test.getSpec().suites).containsExactly("e2e");
      assertThat(test.getStatus().phase).isEqualTo("Failed");
      assertThat(test.getStatus().results).isEqualTo("2/1");
      assertThat(test.getStatus().message)
          .isEqualTo("e2e / shop.CheckoutIT.refunds: refunds broke");
      assertThat(test.getStatus().observedGeneration).isEqualTo(test.getMetadata().getGeneration());
      assertThat(test.getStatus().conditions)
          .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
          .containsExactly(
              "EnvironmentReady=True/WorkloadsReady",
              "Completed=True/Failed",
              "EnvironmentDeleted=True/Deleted");
      assertThat(test.getStatus().conditions)
          .allSatisfy(
              c -> {
                assertThat(c.getLastTransitionTime()).isNotBlank();
                assertThat(c.getObservedGeneration()).isEqualTo(test.getMetadata().getGeneration());
              });
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(watch.phases(run.namespace))
                      .containsExactly("Mirroring", "WaitingForReadiness", "Testing", "Failed"));
      assertThat(
              client
                  .genericKubernetesResources(
                      PatchTest.GROUP + "/" + PatchTest.VERSION, "PatchTest")
                  .inAnyNamespace()
                  .withLabel(MirrorNames.TICKET, ticket)
                  .list()
                  .getItems())
          .extracting(r -> r.getMetadata().getName())
          .containsExactly(run.namespace);
    }
  }

  /** The PatchTest's EnvironmentReady condition as status/reason. */
  private String environmentReady(String name) {
    return patchTest(name).getStatus().conditions.stream()
        .filter(c -> c.getType().equals(PatchTests.ENVIRONMENT_READY))
        .map(c -> c.getStatus() + "/" + c.getReason())
        .reduce((a, b) -> a + ", " + b)
        .orElse("none");
  }

  private PatchTest patchTest(String name) {
    return client
        .resources(PatchTest.class)
        .inNamespace(patchTests.namespace())
        .withName(name)
        .get();
  }

  private static final List<TestSuiteSpec> LOOP_SUITES =
      List.of(new TestSuiteSpec("e2e", "registry.example/loop-e2e:1", List.of("/run"), 60));

  /** The ticket-service's proposal of a revision, which the orchestrator learns from. */
  private static PatchProposed proposal(String ticket, int revision, String source, char digest) {
    return new PatchProposed(
        ticket,
        revision,
        new VcsRef("https://git.example/shop", "a".repeat(40), null),
        "registry.example/checkout@sha256:" + String.valueOf(digest).repeat(64),
        List.of(new ContainerTarget(new WorkloadRef(source, "Deployment", "checkout"), "app")),
        "pool size",
        "connection leak",
        "alice",
        LOOP_SUITES,
        List.of(),
        Instant.now());
  }

  private static TestRunRequested requested(PatchProposed p, int attempt) {
    return new TestRunRequested(
        p.ticketId(),
        p.revision(),
        UUID.randomUUID().toString(),
        attempt,
        p.image(),
        p.targets(),
        p.testSuites(),
        p.author(),
        Instant.now());
  }

  private void awaitKnown(String ticket, int revision) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> revisions.find(ticket, revision).isPresent());
  }

  private TestRun awaitCleaned(String runId) {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              TestRun r = runs.get(runId);
              return r != null && r.state == RunState.CLEANED;
            });
    return runs.get(runId);
  }

  @Test
  void attemptsAreNumberedPerTicketAndComparedWithThePreviousAttemptAcrossRevisions() {
    String ticket = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String source = ProductionNamespace.create(client);
    PatchProposed one = proposal(ticket, 1, source, 'd');
    PatchProposed two = proposal(ticket, 2, source, 'e');
    EventSender.send(one, "ticket-service");
    EventSender.send(two, "ticket-service");
    awaitKnown(ticket, 2);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      // Revision 1 fails refunds.
      TestRun first;
      try (KubeletFaults kubelet =
          kubelet()
              .script(
                  "loop-e2e",
                  new SimulatedKubelet.JobScript(1, Duration.ofMillis(100), junit("refunds")))) {
        TestRunRequested request = requested(one, 1);
        EventSender.send(request, "ticket-service");
        first = awaitCleaned(request.runId());
      }
      assertThat(first.attempt).isEqualTo(1);
      assertThat(first.analytics.changesSinceLastAttempt()).isNull();

      // Revision 2, its second attempt: fixes refunds, breaks lists.
      TestRun second;
      try (KubeletFaults kubelet =
          kubelet()
              .script(
                  "loop-e2e",
                  new SimulatedKubelet.JobScript(1, Duration.ofMillis(100), junit("lists")))) {
        TestRunRequested request = requested(two, 2);
        EventSender.send(request, "ticket-service");
        second = awaitCleaned(request.runId());
      }
      assertThat(second.attempt).isEqualTo(2);
      AttemptChanges since = second.analytics.changesSinceLastAttempt();
      assertThat(since.previousAttempt()).isEqualTo(1);
      assertThat(since.previousRevision()).isEqualTo(1);
      assertThat(since.fixed()).containsExactly("e2e / shop.CheckoutIT.refunds");
      assertThat(since.newlyFailing()).containsExactly("e2e / shop.CheckoutIT.lists");
      assertThat(since.stillFailing()).isEmpty();
      assertThat(since.flaky()).isEmpty();

      // Its author re-runs revision 2 over REST on the same image: lists passes now, so it is
      // flaky, not fixed. The request names only the revision; the rest is the revision's.
      String runId;
      try (KubeletFaults kubelet =
          kubelet()
              .script(
                  "loop-e2e", new SimulatedKubelet.JobScript(0, Duration.ofMillis(100), junit()))) {
        runId =
            given()
                .header("Authorization", TestInfra.bearer("alice", Roles.ENGINEER))
                .contentType("application/json")
                .body(Map.of("ticketId", ticket, "revision", 2))
                .post("/api/v1/test-runs")
                .then()
                .statusCode(202)
                .body("attempt", org.hamcrest.Matchers.equalTo(3))
                .extract()
                .path("runId");
        awaitCleaned(runId);
      }
      var view =
          given()
              .header("Authorization", TestInfra.bearer("alice", Roles.ENGINEER))
              .get("/api/v1/test-runs/{id}", runId)
              .then()
              .statusCode(200)
              .extract()
              .jsonPath();
      assertThat(view.getString("outcome")).isEqualTo("PASSED");
      assertThat(view.getInt("analytics.changesSinceLastAttempt.previousAttempt")).isEqualTo(2);
      assertThat(view.getList("analytics.changesSinceLastAttempt.flaky"))
          .containsExactly("e2e / shop.CheckoutIT.lists");
      assertThat(view.getList("analytics.changesSinceLastAttempt.fixed")).isEmpty();
      assertThat(view.getString("analytics.changesSinceLastAttempt.summary"))
          .startsWith("0 newly failing, 0 fixed, 0 still failing, 1 flaky since attempt 2");

      // The trail: the re-run request by its author, and each result naming the author to tell.
      List<ConsumerRecord<String, byte[]>> events =
          probe.collect(
              r ->
                  KafkaProbe.value(r).contains(ticket)
                      && (is(r, EventType.TEST_RERUN_REQUESTED, runId)
                          || is(r, EventType.TEST_RUN_COMPLETED, ticket)),
              4,
              Duration.ofSeconds(20));
      TestRerunRequested rerun =
          payload(
              events.stream()
                  .filter(r -> is(r, EventType.TEST_RERUN_REQUESTED, runId))
                  .findFirst()
                  .orElseThrow(),
              TestRerunRequested.class);
      assertThat(rerun.requestedBy()).isEqualTo("alice");
      assertThat(rerun.author()).isEqualTo("alice");
      assertThat(rerun.attempt()).isEqualTo(3);
      assertThat(rerun.image()).isEqualTo(two.image());
      assertThat(
              events.stream()
                  .filter(r -> is(r, EventType.TEST_RUN_COMPLETED, ticket))
                  .map(r -> payload(r, TestRunCompleted.class)))
          .extracting(TestRunCompleted::attempt, TestRunCompleted::author)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple(1, "alice"),
              org.assertj.core.groups.Tuple.tuple(2, "alice"),
              org.assertj.core.groups.Tuple.tuple(3, "alice"));
    }
  }

  @Test
  void aDirectRunMustNameAProposedRevisionComeFromItsAuthorOrAnApproverAndTestWhatItProposed() {
    String ticket = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String source = ProductionNamespace.create(client);
    PatchProposed one = proposal(ticket, 1, source, 'f');
    EventSender.send(one, "ticket-service");
    awaitKnown(ticket, 1);
    String alice = TestInfra.bearer("alice", Roles.ENGINEER);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      refused(TestInfra.bearer("erin", Roles.ENGINEER), Map.of("ticketId", ticket, "revision", 1))
          .statusCode(403)
          .body("violations[0].field", org.hamcrest.Matchers.equalTo("requester"));
      refused(TestInfra.bearer("sam", Roles.SRE), Map.of("ticketId", ticket, "revision", 1))
          .statusCode(403);
      refused(alice, Map.of("ticketId", ticket, "revision", 9))
          .statusCode(404)
          .body("violations[0].field", org.hamcrest.Matchers.equalTo("revision"));
      refused(
              alice,
              Map.of(
                  "ticketId",
                  ticket,
                  "revision",
                  1,
                  "image",
                  "registry.example/other@sha256:" + "0".repeat(64)))
          .statusCode(400)
          .body("violations[0].field", org.hamcrest.Matchers.equalTo("image"));
      refused(
              alice,
              Map.of(
                  "ticketId",
                  ticket,
                  "revision",
                  1,
                  "targets",
                  List.of(
                      new ContainerTarget(
                          new WorkloadRef("kube-system", "Deployment", "checkout"), "app"))))
          .statusCode(400)
          .body("violations[0].field", org.hamcrest.Matchers.equalTo("targets"));
      refused(
              alice,
              Map.of(
                  "ticketId",
                  ticket,
                  "revision",
                  1,
                  "testSuites",
                  List.of(
                      new TestSuiteSpec(
                          "e2e",
                          "registry.example/loop-e2e:1",
                          List.of("/bin/sh", "-c", "id"),
                          60))))
          .statusCode(400)
          .body("violations[0].field", org.hamcrest.Matchers.equalTo("testSuites"));
      assertThat(TestRun.<TestRun>list("ticketId", ticket)).isEmpty();

      // Every refusal is in the trail, with the field and reason the requester was given.
      List<TestRunRefused> refusals =
          probe
              .collect(r -> is(r, EventType.TEST_RUN_REFUSED, ticket), 6, Duration.ofSeconds(20))
              .stream()
              .map(r -> payload(r, TestRunRefused.class))
              .toList();
      assertThat(refusals)
          .extracting(TestRunRefused::requestedBy, TestRunRefused::field)
          .containsExactly(
              org.assertj.core.groups.Tuple.tuple("erin", "requester"),
              org.assertj.core.groups.Tuple.tuple("sam", "requester"),
              org.assertj.core.groups.Tuple.tuple("alice", "revision"),
              org.assertj.core.groups.Tuple.tuple("alice", "image"),
              org.assertj.core.groups.Tuple.tuple("alice", "targets"),
              org.assertj.core.groups.Tuple.tuple("alice", "testSuites"));
      assertThat(refusals.get(0).reason()).contains("its author is alice");

      // An approver who did not write it may.
      try (KubeletFaults kubelet =
          kubelet()
              .script(
                  "loop-e2e", new SimulatedKubelet.JobScript(0, Duration.ofMillis(100), junit()))) {
        String runId =
            given()
                .header("Authorization", TestInfra.bearer("paula", Roles.APPROVER))
                .contentType("application/json")
                .body(Map.of("ticketId", ticket, "revision", 1, "image", one.image()))
                .post("/api/v1/test-runs")
                .then()
                .statusCode(202)
                .extract()
                .path("runId");
        assertThat(awaitCleaned(runId).outcome).isEqualTo(TestOutcome.PASSED);
      }
    }
  }

  private static io.restassured.response.ValidatableResponse refused(
      String auth, Map<String, Object> body) {
    return given()
        .header("Authorization", auth)
        .contentType("application/json")
        .body(body)
        .post("/api/v1/test-runs")
        .then()
        .contentType("application/problem+json");
  }

  @Test
  void aMissingSourceNamespaceOrAPatchThatNeverGetsReadyEndsAsAnErrorWithTheReason() {
    String ticket = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    try (KubeletFaults kubelet =
        kubelet().behave("sha256:" + "d".repeat(64), SimulatedKubelet.Behavior.CRASHLOOP).start()) {
      TestRunRequested missing =
          request(ticket, "shop-no-such-namespace", 1, "registry.example/e2e:1");
      runs.request(missing);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> runs.get(missing.runId()).state == RunState.CLEANED);
      TestRun failed = runs.get(missing.runId());
      assertThat(failed.outcome).isEqualTo(TestOutcome.ERROR);
      assertThat(failed.analytics.environmentIssues())
          .containsExactly(
              "mirror not built: source namespace shop-no-such-namespace does not exist");
      assertThat(failed.analytics.readinessMs()).isNull();
      assertThat(patchTest(failed.namespace).getStatus().phase).isEqualTo("Error");
      assertThat(environmentReady(failed.namespace)).isEqualTo("False/MirrorFailed");

      // The patched checkout crash-loops: the run ends at the readiness deadline, with the reason.
      TestRunRequested crashing =
          request(ticket, ProductionNamespace.create(client), 2, "registry.example/e2e:1");
      runs.request(crashing);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runs.get(crashing.runId()).state == RunState.CLEANED);
      TestRun neverReady = runs.get(crashing.runId());
      assertThat(neverReady.outcome).isEqualTo(TestOutcome.ERROR);
      assertThat(neverReady.analytics.suites()).isEmpty();
      assertThat(neverReady.analytics.readinessMs()).isNull();
      assertThat(neverReady.analytics.restarts()).isPositive();
      assertThat(neverReady.analytics.environmentIssues())
          .anyMatch(i -> i.startsWith("mirror not ready after"))
          .anyMatch(i -> i.startsWith("Deployment checkout: crash loop in container app"));
      Namespaces.awaitDeleted(client, neverReady.namespace);
      assertThat(environmentReady(neverReady.namespace)).isEqualTo("False/WorkloadsNotReady");
      // test.environment-ready means ready: a mirror that never got there never announced it.
      assertThat(neverReady.readyPublished).isFalse();
    }
  }

  @Test
  void badRequestsAreNamedProblems() {
    String auth = TestInfra.bearer("erin", Roles.ENGINEER);
    given()
        .header("Authorization", auth)
        .contentType("application/json")
        .body(Map.of("ticketId", "T-1", "revision", 1, "image", "registry.example/checkout:latest"))
        .post("/api/v1/test-runs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", org.hamcrest.Matchers.equalTo("image"));
    // No ticket has such an id, and the refusal's event could not carry it (contract Limit.ID).
    given()
        .header("Authorization", auth)
        .contentType("application/json")
        .body(Map.of("ticketId", "T".repeat(129), "revision", 1))
        .post("/api/v1/test-runs")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", org.hamcrest.Matchers.equalTo("ticketId"));
    given()
        .header("Authorization", TestInfra.bearer("rita", Roles.REPORTER))
        .contentType("application/json")
        .body("{}")
        .post("/api/v1/test-runs")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", auth)
        .get("/api/v1/test-runs/{id}", "nope")
        .then()
        .statusCode(404);
  }
}
