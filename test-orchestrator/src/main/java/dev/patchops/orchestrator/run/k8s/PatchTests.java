package dev.patchops.orchestrator.run.k8s;

import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestCaseStatus;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.run.RunKind;
import dev.patchops.orchestrator.run.TestRun;
import dev.patchops.platform.k8s.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Keeps each run's PatchTest in step with the run. The run's row is the truth and every step writes
 * here after it, so a failed write only delays what kubectl shows: it is logged and never fails the
 * run. The status is patched only when it changes, as a JSON Patch of the difference on the status
 * subresource.
 */
@ApplicationScoped
public class PatchTests {
  private static final Logger LOG = Logger.getLogger(PatchTests.class);

  public static final String ENVIRONMENT_READY = "EnvironmentReady";
  public static final String COMPLETED = "Completed";
  public static final String ENVIRONMENT_DELETED = "EnvironmentDeleted";

  /** Longest message kept on the object; the full analytics are served over REST. */
  static final int MAX_MESSAGE = 1024;

  private final KubernetesClient client;
  private final String namespace;

  @Inject
  public PatchTests(KubernetesClient client, OrchestratorConfig config) {
    this.client = client;
    this.namespace = config.patchTests().namespace();
  }

  public String namespace() {
    return namespace;
  }

  /** Creates the run's PatchTest, or finds the one made before a crash. */
  public void started(TestRun run) {
    safely(
        run,
        () -> {
          if (resource(run).get() == null) {
            create(run);
          }
          status(
              run,
              s -> {
                if (s.phase == null) {
                  s.phase = run.kind == RunKind.BURN_IN ? "Preparing" : "Mirroring";
                  counts(s, List.of());
                }
              });
        });
  }

  /** The environment is ready for the suites: they start. */
  public void environmentReady(TestRun run, String reason, String message) {
    environment(run, "Testing", true, reason, message);
  }

  /** The environment exists but its workloads are not ready yet. */
  public void awaitingReadiness(TestRun run, String message) {
    environment(run, "WaitingForReadiness", false, "WaitingForWorkloads", message);
  }

  /** The environment could not be had; the run ends as an error. */
  public void environmentFailed(TestRun run, String reason, String message) {
    environment(run, null, false, reason, message);
  }

  private void environment(
      TestRun run, String phase, boolean ready, String reason, String message) {
    update(
        run,
        s -> {
          if (phase != null) {
            s.phase = phase;
          }
          condition(s, ENVIRONMENT_READY, ready, reason, truncate(message));
        });
  }

  /** Counts so far, after each suite. */
  public void progress(TestRun run, List<SuiteResult> results) {
    update(run, s -> counts(s, results));
  }

  /** The results are recorded: the outcome becomes the phase. */
  public void completed(TestRun run, TestOutcome outcome, List<SuiteResult> results, String why) {
    update(
        run,
        s -> {
          s.phase = phase(outcome);
          counts(s, results);
          s.message = truncate(why);
          condition(s, COMPLETED, true, phase(outcome), truncate(why));
        });
  }

  /** The environment is gone, or kept for debugging until it expires. */
  public void environmentDeleted(TestRun run, boolean deleted, String reason, String message) {
    update(run, s -> condition(s, ENVIRONMENT_DELETED, deleted, reason, message));
  }

  /**
   * @return the names of the PatchTests deleted
   */
  public List<String> deleteCreatedBefore(Instant cutoff) {
    List<String> deleted = new java.util.ArrayList<>();
    for (PatchTest test :
        client
            .resources(PatchTest.class)
            .inNamespace(namespace)
            .withLabel(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
            .list()
            .getItems()) {
      String created = test.getMetadata().getCreationTimestamp();
      if (created != null && Instant.parse(created).isBefore(cutoff)) {
        client.resource(test).delete();
        deleted.add(test.getMetadata().getName());
      }
    }
    return deleted;
  }

  private Resource<PatchTest> resource(TestRun run) {
    return client.resources(PatchTest.class).inNamespace(namespace).withName(run.namespace);
  }

  private void create(TestRun run) {
    PatchTest test = new PatchTest();
    test.getMetadata().setName(run.namespace);
    test.getMetadata().setNamespace(namespace);
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE);
    labels.put(MirrorNames.TICKET, MirrorNames.labelValue(run.ticketId));
    labels.put(MirrorNames.REVISION, String.valueOf(run.revision));
    labels.put(MirrorNames.RUN, MirrorNames.labelValue(run.runId));
    test.getMetadata().setLabels(labels);
    PatchTestSpec spec = new PatchTestSpec();
    spec.runId = run.runId;
    spec.ticketId = run.ticketId;
    spec.revision = run.revision;
    spec.attempt = run.attempt;
    spec.environmentNamespace = run.namespace;
    spec.sourceNamespace = run.sourceNamespace;
    spec.image = run.request == null ? null : run.request.image();
    spec.burnInNode = run.burnInNode;
    spec.suites = run.suites().stream().map(TestSuiteSpec::name).toList();
    test.setSpec(spec);
    try {
      client.resource(test).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  /** Applies {@code change} to the current status and patches only when something changed. */
  private void status(TestRun run, Consumer<PatchTestStatus> change) {
    PatchTest current = resource(run).get();
    if (current == null) {
      create(run);
      current = resource(run).get();
    }
    PatchTestStatus desired =
        current.getStatus() == null
            ? new PatchTestStatus()
            : Serialization.clone(current.getStatus());
    change.accept(desired);
    Long generation = current.getMetadata().getGeneration();
    desired.observedGeneration = generation;
    for (Condition c : desired.conditions) {
      c.setObservedGeneration(generation);
    }
    if (Objects.equals(Serialization.asJson(current.getStatus()), Serialization.asJson(desired))) {
      return;
    }
    client
        .resource(current)
        .editStatus(
            edited -> {
              edited.setStatus(desired);
              return edited;
            });
  }

  private static void condition(
      PatchTestStatus status, String type, boolean value, String reason, String message) {
    Conditions.set(
        status.conditions, Conditions.of(type, value, reason, message, status.conditions, null));
  }

  /** Test cases where a suite reports them, the suite itself where it does not. */
  private static void counts(PatchTestStatus status, List<SuiteResult> results) {
    int passed = 0;
    int failed = 0;
    for (SuiteResult r : results) {
      if (r.cases().isEmpty()) {
        if (r.outcome() == TestOutcome.PASSED) {
          passed++;
        } else {
          failed++;
        }
        continue;
      }
      for (var c : r.cases()) {
        if (c.status() == TestCaseStatus.PASSED) {
          passed++;
        } else if (c.status() != TestCaseStatus.SKIPPED) {
          failed++;
        }
      }
    }
    status.passed = passed;
    status.failed = failed;
    status.results = passed + "/" + failed;
  }

  private static String phase(TestOutcome outcome) {
    return switch (outcome) {
      case PASSED -> "Passed";
      case FAILED -> "Failed";
      case ERROR -> "Error";
    };
  }

  private static String truncate(String message) {
    return message == null || message.length() <= MAX_MESSAGE
        ? message
        : message.substring(0, MAX_MESSAGE - 1) + "…";
  }

  private void update(TestRun run, Consumer<PatchTestStatus> change) {
    safely(run, () -> status(run, change));
  }

  private void safely(TestRun run, Runnable write) {
    try {
      write.run();
    } catch (KubernetesClientException e) {
      LOG.warnf(
          "PatchTest %s/%s not updated (the run goes on): %s",
          namespace, run.namespace, e.getMessage());
    }
  }
}
