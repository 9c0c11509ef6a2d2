package dev.patchops.orchestrator.run;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.Quarantine;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.Namespaces;
import dev.patchops.orchestrator.Sandbox;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.orchestrator.run.k8s.PatchTests;
import dev.patchops.platform.security.Roles;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** A hardware fix's burn-in: requested on Kafka, run on the quarantined node, reported on Kafka. */
@QuarkusTest
@WithOrchestratorInfra
class BurnInFlowTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject TestRunService runs;
  @Inject PatchTests patchTests;

  /** What the cluster saw while the run lasted; teardown deletes it all afterwards. */
  static final class Seen<T extends HasMetadata> implements Watcher<T>, AutoCloseable {
    final Map<String, T> added = new ConcurrentHashMap<>();
    Watch watch;

    @Override
    public void eventReceived(Action action, T resource) {
      if (action == Action.ADDED) {
        added.put(resource.getMetadata().getName(), resource);
      }
    }

    @Override
    public void onClose(WatcherException cause) {}

    @Override
    public void close() {
      watch.close();
    }
  }

  /**
   * The node under burn-in, as the rollout-service leaves it: cordoned and tainted. A Pod bound to
   * a Node that does not exist would never run, so the node is registered and the simulated kubelet
   * plays it. Deleted again when the test closes it.
   */
  private AutoCloseable quarantined(String node) {
    client
        .nodes()
        .resource(
            new NodeBuilder()
                .withNewMetadata()
                .withName(node)
                .addToLabels("kubernetes.io/hostname", node)
                .endMetadata()
                .withNewSpec()
                .withUnschedulable(true)
                .addNewTaint()
                .withKey(Quarantine.TAINT_KEY)
                .withEffect(Quarantine.TAINT_EFFECT)
                .endTaint()
                .endSpec()
                .build())
        .create();
    return () -> client.nodes().withName(node).delete();
  }

  private KubeletFaults kubelet(String image, SimulatedKubelet.JobScript script) {
    return Sandbox.kubelet().script(image, script).start();
  }

  private static BurnInRequested burnIn(String ticket, String node, String suiteImage) {
    return burnIn(ticket, node, suiteImage, 60);
  }

  private static BurnInRequested burnIn(
      String ticket, String node, String suiteImage, int timeoutSeconds) {
    return new BurnInRequested(
        ticket,
        1,
        UUID.randomUUID().toString(),
        1,
        "node-" + node,
        node,
        "replaced the failing DIMM",
        List.of(
            new TestSuiteSpec(
                "memtest", suiteImage, List.of("/burn", "--minutes=1"), timeoutSeconds)),
        "olga",
        Instant.now());
  }

  private TestRunCompleted completedOnKafka(KafkaProbe probe, String runId) throws IOException {
    List<ConsumerRecord<String, byte[]>> completed =
        probe.collect(
            r ->
                EventType.TEST_RUN_COMPLETED
                        .type()
                        .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
                    && KafkaProbe.value(r).contains(runId),
            1,
            Duration.ofSeconds(20),
            // Every event written so far is sent: a second copy would be in the log.
            Delivered::outboxSent);
    assertThat(completed).hasSize(1);
    return ContractJson.mapper().readValue(completed.get(0).value(), TestRunCompleted.class);
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
  void aPassingBurnInRunsPinnedToTheQuarantinedNodeOnceAndIsReportedWithItsNode() throws Exception {
    String ticket = "HW-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String node = "worker-" + ticket.substring(3).toLowerCase();
    try (AutoCloseable quarantine = quarantined(node);
        KubeletFaults kubelet =
            kubelet(
                "memtest-ok",
                new SimulatedKubelet.JobScript(0, Duration.ofMillis(200), "0 errors\n"));
        KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS);
        Seen<Job> jobs = new Seen<>();
        Seen<Namespace> namespaces = new Seen<>()) {
      jobs.watch = client.batch().v1().jobs().inAnyNamespace().watch(jobs);
      namespaces.watch = client.namespaces().watch(namespaces);
      BurnInRequested request = burnIn(ticket, node, "registry.example/memtest-ok:3");
      String id = UUID.randomUUID().toString();
      EventSender.send(request, "ticket-service", id);
      var redelivery = EventSender.send(request, "ticket-service", id);

      TestRun run = awaitCleaned(request.runId());
      // The redelivery has gone through the inbox: whatever it could have emitted is written.
      Delivered.consumed("test-orchestrator", redelivery);
      assertThat(run.kind).isEqualTo(RunKind.BURN_IN);
      assertThat(run.namespace).isEqualTo(MirrorNames.burnInNamespace(ticket, 1, 1));
      assertThat(TestRun.<TestRun>list("ticketId", ticket)).hasSize(1);
      given()
          .header("Authorization", TestInfra.bearer("olga", Roles.SRE))
          .get("/api/v1/test-runs/{id}", request.runId())
          .then()
          .statusCode(200)
          .body("kind", equalTo("BURN_IN"))
          .body("burnInNode", equalTo(node))
          .body("outcome", equalTo("PASSED"));

      TestRunCompleted done = completedOnKafka(probe, request.runId());
      assertThat(done.burnInNode()).isEqualTo(node);
      assertThat(done.outcome()).isEqualTo(TestOutcome.PASSED);
      assertThat(done.analytics().suites())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.name()).isEqualTo("memtest");
                assertThat(s.exitCode()).isZero();
              });
      assertThat(done.analytics().environmentIssues()).containsExactly("burn-in on node " + node);
      assertThat(done.analytics().readinessMs()).isNull();

      Job job = jobs.added.get("suite-memtest");
      assertThat(job).isNotNull();
      assertThat(job.getMetadata().getNamespace()).isEqualTo(run.namespace);
      var pod = job.getSpec().getTemplate().getSpec();
      assertThat(pod.getNodeName()).isEqualTo(node);
      assertThat(pod.getTolerations())
          .singleElement()
          .satisfies(
              t -> {
                assertThat(t.getKey()).isEqualTo(Quarantine.TAINT_KEY);
                assertThat(t.getOperator()).isEqualTo("Exists");
                assertThat(t.getEffect()).isNull();
              });
      assertThat(pod.getContainers().get(0).getEnv())
          .anyMatch(e -> e.getName().equals("PATCHOPS_BURN_IN_NODE") && e.getValue().equals(node));

      // Its own namespace, labelled for the reaper like a mirror, and gone once reported.
      Namespace ns = namespaces.added.get(run.namespace);
      assertThat(ns).isNotNull();
      assertThat(ns.getMetadata().getLabels())
          .containsEntry(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
          .containsEntry(MirrorNames.TICKET, ticket)
          .containsEntry(MirrorNames.RUN, request.runId())
          .containsEntry(MirrorNames.BURN_IN_NODE, node)
          .containsKey(MirrorNames.EXPIRES_AT)
          .doesNotContainKey(MirrorNames.SOURCE_NAMESPACE);
      Namespaces.awaitDeleted(client, run.namespace);
      assertThat(client.batch().v1().jobs().inNamespace(run.namespace).list().getItems()).isEmpty();

      PatchTest test =
          client
              .resources(PatchTest.class)
              .inNamespace(patchTests.namespace())
              .withName(run.namespace)
              .get();
      assertThat(test.getSpec().burnInNode).isEqualTo(node);
      assertThat(test.getSpec().sourceNamespace).isNull();
      assertThat(test.getStatus().phase).isEqualTo("Passed");
      assertThat(test.getStatus().results).isEqualTo("1/0");
    }
  }

  @Test
  void aFailingBurnInIsReportedFailedWithItsLogAndNodeAndLeavesNothingBehind() throws Exception {
    String ticket = "HW-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String node = "worker-" + ticket.substring(3).toLowerCase();
    try (AutoCloseable quarantine = quarantined(node);
        KubeletFaults kubelet =
            kubelet(
                "memtest-bad",
                new SimulatedKubelet.JobScript(
                    2, Duration.ofMillis(200), "pass 1\nECC error at 0x7f3a\n3 errors\n"));
        KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      BurnInRequested request = burnIn(ticket, node, "registry.example/memtest-bad:3");
      EventSender.send(request, "ticket-service");

      TestRun run = awaitCleaned(request.runId());
      TestRunCompleted done = completedOnKafka(probe, request.runId());
      assertThat(done.burnInNode()).isEqualTo(node);
      assertThat(done.outcome()).isEqualTo(TestOutcome.FAILED);
      assertThat(done.analytics().suites().get(0).exitCode()).isEqualTo(2);
      assertThat(done.analytics().failureMessages())
          .singleElement()
          .satisfies(m -> assertThat(m).startsWith("memtest: ").contains("ECC error at 0x7f3a"));
      assertThat(runs.get(request.runId()).outcome).isEqualTo(TestOutcome.FAILED);
      Namespaces.awaitDeleted(client, run.namespace);
      assertThat(
              client
                  .resources(PatchTest.class)
                  .inNamespace(patchTests.namespace())
                  .withName(run.namespace)
                  .get()
                  .getStatus()
                  .phase)
          .isEqualTo("Failed");
    }
  }

  @Test
  void aBurnInPastItsDeadlineIsAnErrorNotAPass() throws Exception {
    String ticket = "HW-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String node = "worker-" + ticket.substring(3).toLowerCase();
    try (AutoCloseable quarantine = quarantined(node);
        KubeletFaults kubelet =
            kubelet(
                "memtest-hangs",
                new SimulatedKubelet.JobScript(0, Duration.ofSeconds(30), "pass 1\n"));
        KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      BurnInRequested request = burnIn(ticket, node, "registry.example/memtest-hangs:3", 1);
      EventSender.send(request, "ticket-service");

      TestRun run = awaitCleaned(request.runId());
      TestRunCompleted done = completedOnKafka(probe, request.runId());
      assertThat(done.outcome()).isEqualTo(TestOutcome.ERROR);
      assertThat(done.burnInNode()).isEqualTo(node);
      assertThat(done.analytics().suites().get(0).logTail()).startsWith("deadline of 1 s exceeded");
      Namespaces.awaitDeleted(client, run.namespace);
    }
  }

  @Test
  void aBurnInWithoutItsNodeIsDeadLetteredAndRunsNothing() {
    String ticket = "HW-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    try (KafkaProbe deadLetters = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      BurnInRequested request = burnIn(ticket, " ", "registry.example/memtest-ok:3");
      var sent = EventSender.send(request, "ticket-service", UUID.randomUUID().toString());
      List<ConsumerRecord<String, byte[]>> parked =
          deadLetters.collect(
              r -> ticket.equals(r.key()),
              1,
              Duration.ofSeconds(30),
              // Parked before the offset moves: past it, a second dead letter would be there.
              () -> Delivered.consumed("test-orchestrator", sent));
      assertThat(parked).hasSize(1);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON))
          .contains("a burn-in needs the node to run on");
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.CONSUMER))
          .isEqualTo("test-orchestrator.requests");
      assertThat(runs.get(request.runId())).isNull();
    }
  }
}
