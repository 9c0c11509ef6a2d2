package dev.patchops.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.JunitLog;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestCaseStatus;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.Sandbox;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.run.k8s.SuiteRunner;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.kube.KubeletFaults;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithOrchestratorInfra
class SuiteRunnerTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject SuiteRunner runner;

  private static final String JUNIT =
      JunitLog.BEGIN
          + "\n<testsuite name='e2e' tests='3' failures='1'>"
          + "<testcase classname='shop.CheckoutIT' name='pays' time='0.2'/>"
          + "<testcase classname='shop.CheckoutIT' name='refunds' time='0.1'><failure message='expected 200 but was 502'/></testcase>"
          + "<testcase classname='shop.CheckoutIT' name='lists' time='0.1'/>"
          + "</testsuite>\n"
          + JunitLog.END
          + "\n";

  private KubeletFaults kubelet() {
    return Sandbox.kubelet();
  }

  private String namespace() {
    String ns = "pt-run-" + UUID.randomUUID().toString().substring(0, 6);
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    // What the orchestrator does in a namespace it makes: its own grant there.
    dev.patchops.sandbox.Manifests.grantMirror(client, ns);
    return ns;
  }

  private static TestSuiteSpec suite(String name, String image, Integer timeout) {
    return new TestSuiteSpec(name, image, List.of("/run-tests"), timeout);
  }

  @Test
  void aFailingSuiteIsReportedFromTheJobWithItsJunitCasesAndLogTail() throws Exception {
    try (KubeletFaults kubelet =
        kubelet()
            .script(
                "e2e-failing",
                new SimulatedKubelet.JobScript(
                    1, Duration.ofMillis(300), "starting\n" + JUNIT + "1 test failed\n"))
            .start()) {
      String ns = namespace();
      SuiteResult result =
          runner.run(
              ns,
              suite("e2e", "registry.example/e2e-failing:1", null),
              Map.of("patchops.dev/run", "r1"),
              Map.of("PATCHOPS_SUT_NAMESPACE", ns),
              Duration.ofSeconds(60));
      assertThat(result.outcome()).isEqualTo(TestOutcome.FAILED);
      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.tests()).isEqualTo(3);
      assertThat(result.failures()).isEqualTo(1);
      assertThat(result.cases())
          .extracting(c -> c.status())
          .containsExactly(TestCaseStatus.PASSED, TestCaseStatus.FAILED, TestCaseStatus.PASSED);
      assertThat(result.cases().get(1).failureMessage()).isEqualTo("expected 200 but was 502");
      assertThat(result.logTail()).isEqualTo("starting\n1 test failed");
      assertThat(result.durationMs()).isGreaterThanOrEqualTo(250);

      Job job = client.batch().v1().jobs().inNamespace(ns).withName("suite-e2e").get();
      assertThat(job.getSpec().getBackoffLimit()).isZero();
      assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(60L);
      assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
          .anyMatch(e -> e.getName().equals("PATCHOPS_SUT_NAMESPACE") && e.getValue().equals(ns));
    }
  }

  @Test
  void aPassingSuitePassesAndOnePastItsDeadlineIsAnErrorWithTheReason() throws Exception {
    try (KubeletFaults kubelet =
        kubelet()
            .script(
                "smoke", new SimulatedKubelet.JobScript(0, Duration.ofMillis(100), "all good\n"))
            .script(
                "slow", new SimulatedKubelet.JobScript(0, Duration.ofSeconds(30), "still going\n"))
            .start()) {
      String ns = namespace();
      SuiteResult passed =
          runner.run(
              ns,
              suite("smoke", "registry.example/smoke:1", null),
              Map.of(),
              Map.of(),
              Duration.ofSeconds(60));
      assertThat(passed.outcome()).isEqualTo(TestOutcome.PASSED);
      assertThat(passed.exitCode()).isZero();
      assertThat(passed.cases()).isEmpty();

      SuiteResult slow =
          runner.run(
              ns,
              suite("load", "registry.example/slow:1", 1),
              Map.of(),
              Map.of(),
              Duration.ofSeconds(60));
      assertThat(slow.outcome()).isEqualTo(TestOutcome.ERROR);
      // The Job controller stopped it: the suite never exited on its own.
      assertThat(slow.exitCode()).isNull();
      Job stopped = client.batch().v1().jobs().inNamespace(ns).withName("suite-load").get();
      assertThat(stopped.getStatus().getConditions())
          .anyMatch(
              c ->
                  c.getType().equals("Failed")
                      && c.getStatus().equals("True")
                      && c.getReason().equals("DeadlineExceeded"));
      assertThat(slow.logTail()).startsWith("deadline of 1 s exceeded");
    }
  }
}
