package dev.patchops.orchestrator.run.k8s;

import dev.patchops.contract.model.Quarantine;
import dev.patchops.contract.model.SuiteResult;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.k8s.ChangeSignal;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.results.JunitReport;
import dev.patchops.orchestrator.results.SuiteLog;
import dev.patchops.platform.k8s.ApiRetry;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.Reader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs one test suite as a Job in a mirror and collects everything before anyone deletes it. The
 * outcome is read from the Job's own conditions (Complete, Failed and its reason), never from a
 * race between the log and the Pod.
 */
@ApplicationScoped
public class SuiteRunner {
  public static final String SUITE_CONTAINER = "suite";
  static final int TAIL_LINES = 200;
  static final int MAX_JUNIT_BYTES = 16 * 1024 * 1024;
  private static final Duration POLL = Duration.ofMillis(200);

  /** How long after its deadline a Job may take to report it, before the run stops waiting. */
  private static final Duration GRACE = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final int attempts;

  @Inject
  public SuiteRunner(KubernetesClient client, OrchestratorConfig config) {
    this.client = client;
    this.attempts = config.mirror().attempts();
  }

  /**
   * Where a suite's Pod runs: anywhere the scheduler likes, or on one quarantined node.
   *
   * @param nodeName set for a burn-in. {@code spec.nodeName} bypasses the scheduler, which would
   *     refuse a cordoned node; the toleration of the quarantine taint (any effect) keeps the
   *     kubelet from evicting the Pod should the taint be NoExecute.
   */
  public record Placement(String nodeName) {
    public static final Placement ANYWHERE = new Placement(null);

    public static Placement onNode(String nodeName) {
      return new Placement(nodeName);
    }
  }

  public SuiteResult run(
      String namespace,
      TestSuiteSpec suite,
      Map<String, String> labels,
      Map<String, String> sut,
      Duration timeout)
      throws InterruptedException {
    return run(namespace, suite, labels, sut, timeout, Placement.ANYWHERE);
  }

  /**
   * @param sut env telling the suite where the system under test is
   * @param timeout used when the suite sets none; becomes the Job's activeDeadlineSeconds
   */
  public SuiteResult run(
      String namespace,
      TestSuiteSpec suite,
      Map<String, String> labels,
      Map<String, String> sut,
      Duration timeout,
      Placement placement)
      throws InterruptedException {
    long deadlineSeconds =
        suite.timeoutSeconds() != null ? suite.timeoutSeconds() : Math.max(1, timeout.toSeconds());
    String name = jobName(suite.name());
    Job job =
        new JobBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withBackoffLimit(0)
            .withActiveDeadlineSeconds(deadlineSeconds)
            .withNewTemplate()
            .withNewMetadata()
            .withLabels(labels)
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            // The namespace enforces Pod Security restricted, so the suite runs as the profile
            // asks: a non-root user of the image, no escalation, no capabilities, the runtime's
            // seccomp profile. It reaches the system under test over HTTP, never the API: no token.
            .withAutomountServiceAccountToken(false)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName(SUITE_CONTAINER)
            .withImage(suite.image())
            .withCommand(suite.command())
            .withEnv(
                sut.entrySet().stream()
                    .map(e -> new EnvVar(e.getKey(), e.getValue(), null))
                    .toList())
            .withNewSecurityContext()
            .withAllowPrivilegeEscalation(false)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .build();
    if (placement.nodeName() != null) {
      var pod = job.getSpec().getTemplate().getSpec();
      pod.setNodeName(placement.nodeName());
      pod.setTolerations(
          List.of(
              new TolerationBuilder()
                  .withKey(Quarantine.TAINT_KEY)
                  .withOperator("Exists")
                  .build()));
    }
    ApiRetry.withRetry(
        attempts,
        () -> {
          try {
            return client.resource(job).create();
          } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
              throw e;
            }
            // A resumed run, or a retry whose first try got through: follow the Job that exists.
            return job;
          }
        });
    Instant giveUp = Instant.now().plusSeconds(deadlineSeconds).plus(GRACE);
    Job current;
    Optional<JobCondition> done;
    try (ChangeSignal changes =
        new ChangeSignal()
            .<Job>on(
                w -> client.batch().v1().jobs().inNamespace(namespace).withName(name).watch(w))) {
      while (true) {
        current =
            ApiRetry.withRetry(
                attempts,
                () -> client.batch().v1().jobs().inNamespace(namespace).withName(name).get());
        done = finished(current);
        if (done.isPresent() || Instant.now().isAfter(giveUp)) {
          break;
        }
        changes.await(POLL);
      }
    }
    Pod pod = pod(namespace, name);
    Integer exitCode = stoppedAtDeadline(done) ? null : exitCode(pod);
    long durationMs = duration(current);
    SuiteLog.Scanned log = logs(namespace, pod);
    JunitReport.Parsed junit =
        log == null || log.junit() == null
            ? null
            : JunitReport.parse(
                new ByteArrayInputStream(log.junit()), suite.name(), JunitReport.Limits.DEFAULT);

    TestOutcome outcome;
    String tail = log == null ? null : log.tail();
    if (done.isEmpty()) {
      outcome = TestOutcome.ERROR;
      tail =
          "Job "
              + name
              + " never finished: no Complete or Failed condition "
              + GRACE.toSeconds()
              + " s after its deadline\n"
              + nullToEmpty(tail);
    } else if ("Complete".equals(done.get().getType())) {
      outcome = TestOutcome.PASSED;
    } else if (stoppedAtDeadline(done)) {
      outcome = TestOutcome.ERROR;
      tail =
          "deadline of "
              + deadlineSeconds
              + " s exceeded: "
              + done.get().getMessage()
              + "\n"
              + nullToEmpty(tail);
    } else {
      outcome = TestOutcome.FAILED;
    }
    return new SuiteResult(
        suite.name(),
        outcome,
        exitCode,
        durationMs,
        junit == null ? 0 : junit.tests(),
        junit == null ? 0 : junit.failures(),
        junit == null ? 0 : junit.errors(),
        junit == null ? 0 : junit.skipped(),
        junit == null ? List.of() : junit.cases(),
        tail);
  }

  static String jobName(String suite) {
    return MirrorNames.labelValue("suite-" + suite.toLowerCase().replaceAll("[^a-z0-9-]", "-"))
        .toLowerCase();
  }

  private static Optional<JobCondition> finished(Job job) {
    if (job == null || job.getStatus() == null || job.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return job.getStatus().getConditions().stream()
        .filter(
            c ->
                ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                    && "True".equals(c.getStatus()))
        .findFirst();
  }

  /**
   * The Job controller stopped the suite at its deadline: the suite never exited on its own, and
   * what its Pod shows, if the Pod is still there, is the signal that killed it.
   */
  private static boolean stoppedAtDeadline(Optional<JobCondition> done) {
    return done.isPresent()
        && "Failed".equals(done.get().getType())
        && "DeadlineExceeded".equals(done.get().getReason());
  }

  private Pod pod(String namespace, String job) {
    List<Pod> pods =
        client
            .pods()
            .inNamespace(namespace)
            .withLabel("batch.kubernetes.io/job-name", job)
            .list()
            .getItems();
    if (pods.isEmpty()) {
      pods = client.pods().inNamespace(namespace).withLabel("job-name", job).list().getItems();
    }
    return pods.isEmpty() ? null : pods.get(pods.size() - 1);
  }

  private static Integer exitCode(Pod pod) {
    if (pod == null || pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
      return null;
    }
    return pod.getStatus().getContainerStatuses().stream()
        .filter(
            c ->
                SUITE_CONTAINER.equals(c.getName())
                    && c.getState() != null
                    && c.getState().getTerminated() != null)
        .map(c -> c.getState().getTerminated().getExitCode())
        .findFirst()
        .orElse(null);
  }

  private static long duration(Job job) {
    if (job == null || job.getStatus() == null || job.getStatus().getStartTime() == null) {
      return 0;
    }
    Instant start = Instant.parse(job.getStatus().getStartTime());
    Instant end =
        job.getStatus().getCompletionTime() != null
            ? Instant.parse(job.getStatus().getCompletionTime())
            : job.getStatus().getConditions() == null || job.getStatus().getConditions().isEmpty()
                ? Instant.now()
                : Instant.parse(job.getStatus().getConditions().get(0).getLastTransitionTime());
    return Duration.between(start, end).toMillis();
  }

  /** Streams the log once: a bounded tail and the JUnit block; null when it cannot be read. */
  private SuiteLog.Scanned logs(String namespace, Pod pod) {
    if (pod == null) {
      return null;
    }
    try (Reader reader =
        client
            .pods()
            .inNamespace(namespace)
            .withName(pod.getMetadata().getName())
            .inContainer(SUITE_CONTAINER)
            .getLogReader()) {
      return SuiteLog.scan(reader, TAIL_LINES, MAX_JUNIT_BYTES);
    } catch (Exception e) {
      return null;
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
