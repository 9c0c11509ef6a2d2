package dev.patchops.orchestrator.run.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestCaseStatus;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.run.RunKind;
import dev.patchops.orchestrator.run.TestRun;
import dev.patchops.testing.kube.ApiFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithOrchestratorInfra
class PatchTestsTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject PatchTests patchTests;

  private static TestRun run() {
    TestRun run = new TestRun();
    run.runId = UUID.randomUUID().toString();
    run.kind = RunKind.MIRROR;
    run.ticketId = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    run.revision = 3;
    run.attempt = 2;
    run.namespace = MirrorNames.namespace(run.ticketId, 3, 2);
    run.sourceNamespace = "shop";
    run.request =
        new TestRunRequested(
            run.ticketId,
            3,
            run.runId,
            2,
            "registry.example/checkout@sha256:" + "a".repeat(64),
            List.of(new ContainerTarget(new WorkloadRef("shop", "Deployment", "checkout"), "app")),
            List.of(new TestSuiteSpec("e2e", "registry.example/e2e:1", List.of("/run"), null)),
            "alice",
            Instant.now());
    return run;
  }

  private PatchTest get(TestRun run) {
    return client
        .resources(PatchTest.class)
        .inNamespace(patchTests.namespace())
        .withName(run.namespace)
        .get();
  }

  private static SuiteResult suite(TestOutcome outcome, TestCaseStatus... cases) {
    List<TestCaseResult> results =
        java.util.stream.IntStream.range(0, cases.length)
            .mapToObj(i -> new TestCaseResult("c.IT", "t" + i, cases[i], 1L, null))
            .toList();
    return new SuiteResult("e2e", outcome, 0, 10, cases.length, 0, 0, 0, results, "");
  }

  @Test
  void theStatusIsWrittenOnlyWhenItChangesAndConditionsKeepTheirTransitionTime() throws Exception {
    TestRun run = run();
    patchTests.started(run);
    patchTests.started(run); // a resumed run finds its PatchTest
    PatchTest created = get(run);
    assertThat(created.getSpec().image).isEqualTo(run.request.image());
    assertThat(created.getSpec().attempt).isEqualTo(2);
    assertThat(created.getStatus().phase).isEqualTo("Mirroring");
    assertThat(created.getStatus().results).isEqualTo("0/0");
    assertThat(created.getMetadata().getLabels())
        .containsEntry(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
        .containsEntry(MirrorNames.TICKET, run.ticketId);

    patchTests.environmentReady(run, "WorkloadsReady", "mirror ready after 40 ms");
    PatchTest ready = get(run);
    Condition readyCondition = ready.getStatus().conditions.get(0);
    assertThat(readyCondition.getType()).isEqualTo(PatchTests.ENVIRONMENT_READY);
    assertThat(readyCondition.getStatus()).isEqualTo("True");

    List<SuiteResult> results =
        List.of(
            suite(
                TestOutcome.FAILED,
                TestCaseStatus.PASSED,
                TestCaseStatus.FAILED,
                TestCaseStatus.ERROR,
                TestCaseStatus.SKIPPED));
    patchTests.progress(run, results);
    String afterProgress = get(run).getMetadata().getResourceVersion();
    assertThat(get(run).getStatus().results).isEqualTo("1/2");

    patchTests.progress(run, results);
    patchTests.environmentReady(run, "WorkloadsReady", "mirror ready after 40 ms");
    assertThat(get(run).getMetadata().getResourceVersion())
        .as("nothing changed, so nothing was written")
        .isEqualTo(afterProgress);

    // The API server keeps seconds: once the clock is past the condition's second, a rewritten
    // lastTransitionTime would differ from the first one.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(5))
        .pollInterval(java.time.Duration.ofMillis(20))
        .until(
            () ->
                Instant.now()
                    .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
                    .isAfter(Instant.parse(readyCondition.getLastTransitionTime())));
    patchTests.environmentReady(run, "WorkloadsReady", "a new message, the same status");
    Condition same = get(run).getStatus().conditions.get(0);
    assertThat(same.getMessage()).isEqualTo("a new message, the same status");
    assertThat(same.getLastTransitionTime()).isEqualTo(readyCondition.getLastTransitionTime());

    patchTests.completed(run, TestOutcome.FAILED, results, "e2e / c.IT.t1: boom");
    patchTests.environmentDeleted(run, false, "KeptOnFailure", "kept until later");
    PatchTest done = get(run);
    assertThat(done.getStatus().phase).isEqualTo("Failed");
    assertThat(done.getStatus().observedGeneration)
        .isNotNull()
        .isEqualTo(done.getMetadata().getGeneration());
    assertThat(done.getStatus().message).isEqualTo("e2e / c.IT.t1: boom");
    assertThat(done.getStatus().conditions)
        .extracting(c -> c.getType() + "=" + c.getStatus())
        .containsExactly("EnvironmentReady=True", "Completed=True", "EnvironmentDeleted=False");
    // The spec is the request's and survives every status patch.
    assertThat(done.getSpec().ticketId).isEqualTo(run.ticketId);
    assertThat(done.getSpec().suites).containsExactly("e2e");
  }

  @Test
  void anApiThatRefusesPatchTestsNeverFailsTheRun() {
    TestRun run = run();
    // Two creates are tried, one per step; more would refuse other tests' PatchTests too.
    ApiFaults.fail(
        "POST",
        "/apis/patchops.dev/v1alpha1/namespaces/" + patchTests.namespace() + "/patchtests",
        403,
        "Forbidden",
        "forbidden",
        2);
    patchTests.started(run);
    patchTests.completed(run, TestOutcome.PASSED, List.of(), null);
    assertThat(get(run)).isNull();
  }
}
