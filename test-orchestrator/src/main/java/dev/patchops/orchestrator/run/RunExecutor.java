package dev.patchops.orchestrator.run;

import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorException;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.MirrorRequest;
import dev.patchops.orchestrator.mirror.k8s.NamespaceMirror;
import dev.patchops.orchestrator.mirror.k8s.ReadinessGate;
import dev.patchops.orchestrator.results.AttemptComparison;
import dev.patchops.orchestrator.run.k8s.SuiteRunner;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Carries each run through mirror, readiness, suites, results and cleanup, one run at a time per
 * instance. Each step is safe to repeat, so a run taken up again after a crash simply resumes.
 */
@ApplicationScoped
public class RunExecutor {
  private static final Logger LOG = Logger.getLogger(RunExecutor.class);

  @Inject TestRunService runs;
  @Inject NamespaceMirror mirror;
  @Inject ReadinessGate readiness;
  @Inject SuiteRunner suites;
  @Inject OrchestratorConfig config;

  private final Semaphore wake = new Semaphore(0);
  private volatile boolean running;
  private Thread thread;

  void start(@Observes StartupEvent event) {
    running = true;
    thread = new Thread(this::loop, "test-run-executor");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent event) {
    running = false;
    if (thread != null) {
      thread.interrupt();
    }
  }

  /** A new request need not wait for the next poll. */
  public void wake() {
    wake.release();
  }

  private void loop() {
    while (running) {
      try {
        Optional<TestRun> next = runs.claim();
        if (next.isEmpty()) {
          wake.tryAcquire(config.run().pollInterval().toMillis(), TimeUnit.MILLISECONDS);
          continue;
        }
        execute(next.get());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.errorf(e, "test run step failed; the run is retried when its lease runs out");
      }
    }
  }

  void execute(TestRun run) throws InterruptedException {
    if (run.state == RunState.RUNNING) {
      test(run);
    }
    cleanUp(runs.get(run.runId));
  }

  private void test(TestRun run) throws InterruptedException {
    TestRunRequested request = run.request;
    long start = System.nanoTime();
    List<String> environmentIssues = new ArrayList<>();
    List<SuiteResult> results = new ArrayList<>();
    NamespaceMirror.Mirror built;
    try {
      built = mirror.build(mirrorRequest(run));
    } catch (MirrorException e) {
      environmentIssues.add("mirror not built: " + e.getMessage());
      runs.completed(
          run.runId,
          TestOutcome.ERROR,
          analytics(run, start, null, results, environmentIssues, List.of()));
      return;
    }
    runs.environmentReady(run.runId, built.copiedObjects(), built.plan().secretDecisions());
    ReadinessGate.Readiness ready = readiness.await(run.namespace, config.run().readinessTimeout());
    environmentIssues.add(
        "mirror "
            + (ready.ready() ? "ready" : "not ready")
            + " after "
            + ready.waited().toMillis()
            + " ms, "
            + ready.restarts()
            + " container restarts");
    if (!ready.ready()) {
      environmentIssues.addAll(ready.issues());
      runs.completed(
          run.runId,
          TestOutcome.ERROR,
          analytics(run, start, ready, results, environmentIssues, built.plan().secretDecisions()));
      return;
    }
    Map<String, String> sut = systemUnderTest(run);
    for (TestSuiteSpec suite : request.testSuites()) {
      results.add(suites.run(run.namespace, suite, labels(run), sut, config.run().suiteTimeout()));
    }
    TestOutcome outcome =
        results.stream().anyMatch(r -> r.outcome() == TestOutcome.ERROR)
            ? TestOutcome.ERROR
            : results.stream().anyMatch(r -> r.outcome() == TestOutcome.FAILED)
                ? TestOutcome.FAILED
                : TestOutcome.PASSED;
    runs.completed(
        run.runId,
        outcome,
        analytics(run, start, ready, results, environmentIssues, built.plan().secretDecisions()));
  }

  private void cleanUp(TestRun run) {
    if (run.state != RunState.COMPLETED) {
      return;
    }
    boolean failed = run.outcome != TestOutcome.PASSED;
    if (failed && config.run().keepOnFailure() && java.time.Instant.now().isBefore(run.expiresAt)) {
      runs.kept(run.runId);
      return;
    }
    mirror.teardown(run.namespace);
    runs.cleaned(
        run.runId, failed && config.run().keepOnFailure() ? "expired" : "results recorded");
  }

  private TestAnalytics analytics(
      TestRun run,
      long startNanos,
      ReadinessGate.Readiness readiness,
      List<SuiteResult> results,
      List<String> environmentIssues,
      List<dev.patchops.contract.model.SecretDecision> secrets) {
    List<TestCaseResult> cases = results.stream().flatMap(r -> r.cases().stream()).toList();
    List<TestRun> earlier = runs.earlierAttempts(run);
    List<TestCaseResult> previous =
        earlier.isEmpty() ? List.of() : casesOf(earlier.get(earlier.size() - 1));
    List<List<TestCaseResult>> sameCommit = earlier.stream().map(RunExecutor::casesOf).toList();
    AttemptComparison.Changes changes = AttemptComparison.compare(cases, previous, sameCommit);
    List<String> failures = new ArrayList<>();
    for (SuiteResult r : results) {
      for (TestCaseResult c : r.cases()) {
        if (c.failureMessage() != null) {
          failures.add(r.name() + " / " + c.name() + ": " + c.failureMessage());
        }
      }
      if (r.outcome() != TestOutcome.PASSED && r.cases().isEmpty() && r.logTail() != null) {
        failures.add(r.name() + ": " + lastLines(r.logTail(), 5));
      }
    }
    String summary =
        run.attempt == 1
            ? null
            : changes.summary()
                + (changes.newlyFailing().isEmpty()
                    ? ""
                    : "; newly failing: " + String.join(", ", changes.newlyFailing()))
                + (changes.fixed().isEmpty()
                    ? ""
                    : "; fixed: " + String.join(", ", changes.fixed()))
                + (changes.flaky().isEmpty()
                    ? ""
                    : "; flaky: " + String.join(", ", changes.flaky()));
    return new TestAnalytics(
        (System.nanoTime() - startNanos) / 1_000_000,
        readiness != null && readiness.ready() ? readiness.waited().toMillis() : null,
        readiness == null ? 0 : readiness.restarts(),
        results,
        failures,
        environmentIssues,
        secrets,
        summary);
  }

  private static List<TestCaseResult> casesOf(TestRun run) {
    return run.analytics == null
        ? List.of()
        : run.analytics.suites().stream().flatMap(s -> s.cases().stream()).toList();
  }

  private static String lastLines(String text, int n) {
    String[] lines = text.split("\n");
    return String.join(
        "\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - n), lines.length));
  }

  private MirrorRequest mirrorRequest(TestRun run) {
    return new MirrorRequest(
        run.sourceNamespace,
        run.namespace,
        run.request.image(),
        run.request.targets(),
        labels(run),
        config.mirror().replicas().orElse(null),
        config.mirror().copySecretValues(),
        config.mirror().ingressDomain());
  }

  static Map<String, String> labels(TestRun run) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE);
    labels.put(MirrorNames.TICKET, MirrorNames.labelValue(run.ticketId));
    labels.put(MirrorNames.REVISION, String.valueOf(run.revision));
    labels.put(MirrorNames.ATTEMPT, String.valueOf(run.attempt));
    labels.put(MirrorNames.RUN, MirrorNames.labelValue(run.runId));
    labels.put(MirrorNames.SOURCE_NAMESPACE, run.sourceNamespace);
    // Label values cannot hold ':'; epoch seconds sort and compare just as well.
    labels.put(MirrorNames.EXPIRES_AT, String.valueOf(run.expiresAt.getEpochSecond()));
    return labels;
  }

  private static Map<String, String> systemUnderTest(TestRun run) {
    var target = run.request.targets().get(0).workload();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATCHOPS_SUT_NAMESPACE", run.namespace);
    env.put("PATCHOPS_SUT_WORKLOAD", target.kind() + "/" + target.name());
    env.put(
        "PATCHOPS_SUT_URL", "http://" + target.name() + "." + run.namespace + ".svc.cluster.local");
    env.put("PATCHOPS_TICKET", run.ticketId);
    env.put("PATCHOPS_REVISION", String.valueOf(run.revision));
    return env;
  }
}
