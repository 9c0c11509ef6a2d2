package dev.patchops.orchestrator.run;

import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestCaseResult;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorException;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.MirrorRefusedException;
import dev.patchops.orchestrator.mirror.MirrorRequest;
import dev.patchops.orchestrator.mirror.k8s.NamespaceMirror;
import dev.patchops.orchestrator.mirror.k8s.ReadinessGate;
import dev.patchops.orchestrator.results.AttemptComparison;
import dev.patchops.orchestrator.results.ResultBudget;
import dev.patchops.orchestrator.run.k8s.PatchTests;
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
  @Inject PatchTests patchTests;
  @Inject OrchestratorConfig config;

  private final Semaphore wake = new Semaphore(0);

  private final java.util.concurrent.ScheduledExecutorService leases =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "test-run-lease");
            t.setDaemon(true);
            return t;
          });
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
    long every = Math.max(1, config.run().lease().toMillis() / 3);
    java.util.concurrent.ScheduledFuture<?> renewal =
        leases.scheduleAtFixedRate(
            () -> renew(run.runId), every, every, java.util.concurrent.TimeUnit.MILLISECONDS);
    try {
      work(run);
    } finally {
      renewal.cancel(false);
    }
  }

  private void renew(String runId) {
    try {
      if (!runs.renewLease(runId)) {
        LOG.debugf("lease of test run %s not renewed: finished, or taken up elsewhere", runId);
      }
    } catch (RuntimeException e) {
      // The database away for a moment: the next renewal tries again within the lease.
      LOG.warnf("cannot renew the lease of test run %s: %s", runId, e.getMessage());
    }
  }

  private void work(TestRun run) throws InterruptedException {
    if (run.state == RunState.RUNNING) {
      patchTests.started(run);
      if (run.kind == RunKind.BURN_IN) {
        burnIn(run);
      } else {
        test(run);
      }
    }
    cleanUp(runs.get(run.runId));
  }

  private void test(TestRun run) throws InterruptedException {
    long start = System.nanoTime();
    List<String> environmentIssues = new ArrayList<>();
    NamespaceMirror.Mirror built;
    try {
      built = mirror.build(mirrorRequest(run));
    } catch (MirrorRefusedException e) {
      // Refused before anything was made: a policy answer, not a failure to retry.
      environmentIssues.add("mirror refused: " + e.getMessage());
      patchTests.environmentFailed(run, "MirrorRefused", e.getMessage());
      complete(run, TestOutcome.ERROR, start, null, List.of(), environmentIssues, List.of());
      return;
    } catch (MirrorException e) {
      environmentIssues.add("mirror not built: " + e.getMessage());
      patchTests.environmentFailed(run, "MirrorFailed", e.getMessage());
      complete(run, TestOutcome.ERROR, start, null, List.of(), environmentIssues, List.of());
      return;
    }
    List<SecretDecision> secrets = built.plan().secretDecisions();
    patchTests.awaitingReadiness(run, "mirror built, waiting for its workloads");
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
      patchTests.environmentFailed(run, "WorkloadsNotReady", String.join("; ", environmentIssues));
      complete(run, TestOutcome.ERROR, start, ready, List.of(), environmentIssues, secrets);
      return;
    }
    // Announced only now: the ticket moves on when its environment can really be tested.
    runs.environmentReady(run.runId, built.copiedObjects(), secrets);
    patchTests.environmentReady(run, "WorkloadsReady", environmentIssues.get(0));
    List<SuiteResult> results = suites(run, systemUnderTest(run), SuiteRunner.Placement.ANYWHERE);
    complete(run, outcome(results), start, ready, results, environmentIssues, secrets);
  }

  /**
   * The suites run on the quarantined node itself, in a namespace of their own: nothing of
   * production is mirrored, and the node's workloads stay off it until the rollout-service lifts
   * the quarantine on a pass.
   */
  private void burnIn(TestRun run) throws InterruptedException {
    long start = System.nanoTime();
    List<String> environmentIssues = new ArrayList<>();
    try {
      mirror.prepare(run.namespace, labels(run));
    } catch (MirrorException e) {
      environmentIssues.add("burn-in namespace not created: " + e.getMessage());
      patchTests.environmentFailed(run, "NamespaceFailed", e.getMessage());
      complete(run, TestOutcome.ERROR, start, null, List.of(), environmentIssues, List.of());
      return;
    }
    environmentIssues.add("burn-in on node " + run.burnInNode);
    patchTests.environmentReady(run, "NamespaceCreated", environmentIssues.get(0));
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATCHOPS_BURN_IN_NODE", run.burnInNode);
    env.put("PATCHOPS_EQUIPMENT", run.burnIn.equipmentId());
    env.put("PATCHOPS_TICKET", run.ticketId);
    env.put("PATCHOPS_REVISION", String.valueOf(run.revision));
    List<SuiteResult> results = suites(run, env, SuiteRunner.Placement.onNode(run.burnInNode));
    complete(run, outcome(results), start, null, results, environmentIssues, List.of());
  }

  private List<SuiteResult> suites(
      TestRun run, Map<String, String> env, SuiteRunner.Placement placement)
      throws InterruptedException {
    List<SuiteResult> results = new ArrayList<>();
    for (TestSuiteSpec suite : run.suites()) {
      results.add(
          suites.run(
              run.namespace, suite, labels(run), env, config.run().suiteTimeout(), placement));
      patchTests.progress(run, results);
    }
    return results;
  }

  private static TestOutcome outcome(List<SuiteResult> results) {
    return results.stream().anyMatch(r -> r.outcome() == TestOutcome.ERROR)
        ? TestOutcome.ERROR
        : results.stream().anyMatch(r -> r.outcome() == TestOutcome.FAILED)
            ? TestOutcome.FAILED
            : TestOutcome.PASSED;
  }

  private void complete(
      TestRun run,
      TestOutcome outcome,
      long startNanos,
      ReadinessGate.Readiness ready,
      List<SuiteResult> results,
      List<String> environmentIssues,
      List<SecretDecision> secrets) {
    TestAnalytics analytics =
        analytics(run, startNanos, ready, results, environmentIssues, secrets);
    runs.completed(run.runId, outcome, analytics);
    String why =
        outcome == TestOutcome.PASSED
            ? null
            : !analytics.failureMessages().isEmpty()
                ? analytics.failureMessages().get(0)
                : String.join("; ", environmentIssues);
    patchTests.completed(run, outcome, results, why);
  }

  private void cleanUp(TestRun run) {
    if (run.state != RunState.COMPLETED) {
      return;
    }
    boolean failed = run.outcome != TestOutcome.PASSED;
    if (failed && config.run().keepOnFailure() && java.time.Instant.now().isBefore(run.expiresAt)) {
      runs.kept(run.runId);
      patchTests.environmentDeleted(
          run, false, "KeptOnFailure", "kept for debugging until " + run.expiresAt);
      return;
    }
    mirror.teardown(run.namespace);
    String reason = failed && config.run().keepOnFailure() ? "expired" : "results recorded";
    runs.cleaned(run.runId, reason);
    patchTests.environmentDeleted(run, true, "Deleted", reason);
  }

  private TestAnalytics analytics(
      TestRun run,
      long startNanos,
      ReadinessGate.Readiness readiness,
      List<SuiteResult> reported,
      List<String> environmentIssues,
      List<SecretDecision> secrets) {
    // What the suites printed, cut to fit one Kafka record (the run's test.run-completed event).
    List<SuiteResult> results = ResultBudget.fitSuites(reported);
    List<TestCaseResult> cases = results.stream().flatMap(r -> r.cases().stream()).toList();
    List<TestRun> earlier = runs.earlierAttempts(run);
    TestRun previous = earlier.isEmpty() ? null : earlier.get(earlier.size() - 1);
    List<List<TestCaseResult>> sameImage =
        earlier.stream().filter(e -> sameImage(e, run)).map(RunExecutor::casesOf).toList();
    AttemptChanges changes =
        previous == null
            ? null
            : AttemptComparison.compare(cases, casesOf(previous), sameImage)
                .since(previous.attempt, previous.revision);
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
    return new TestAnalytics(
        (System.nanoTime() - startNanos) / 1_000_000,
        readiness != null && readiness.ready() ? readiness.waited().toMillis() : null,
        readiness == null ? 0 : readiness.restarts(),
        results,
        ResultBudget.fitFailures(failures),
        environmentIssues,
        secrets,
        ResultBudget.fitChanges(changes));
  }

  /** The same thing under test: the patched image of a mirror test, the node of a burn-in. */
  private static boolean sameImage(TestRun earlier, TestRun run) {
    return run.kind == RunKind.BURN_IN
        ? java.util.Objects.equals(earlier.burnInNode, run.burnInNode)
        : earlier.request != null
            && run.request != null
            && earlier.request.image().equals(run.request.image());
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
    if (run.sourceNamespace != null) {
      labels.put(MirrorNames.SOURCE_NAMESPACE, run.sourceNamespace);
    }
    if (run.burnInNode != null) {
      labels.put(MirrorNames.BURN_IN_NODE, MirrorNames.labelValue(run.burnInNode));
    }
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
