package dev.patchops.rollout.canary;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.rollout.canary.analysis.CanaryAnalysis;
import dev.patchops.rollout.canary.analysis.PodRules;
import dev.patchops.rollout.canary.k8s.PatchRolloutCommands;
import dev.patchops.rollout.canary.k8s.RolloutResources;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.canary.k8s.WorkloadWatches;
import dev.patchops.rollout.canary.step.CanaryScaling;
import dev.patchops.rollout.canary.step.Pause;
import dev.patchops.rollout.canary.step.Traffic;
import dev.patchops.rollout.checkpoint.Checkpoints;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.rollout.config.RolloutConfig;
import dev.patchops.rollout.leader.Leadership;
import dev.patchops.rollout.quarantine.QuarantineEngine;
import dev.patchops.rollout.scaling.CanaryScale;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The controller loop. It holds no state of its own that matters: every decision is read from the
 * database and the live cluster, every cluster call is idempotent, and every transition commits
 * with its event. So a restart, or a new leader, simply continues each rollout where it stands.
 */
@ApplicationScoped
public class RolloutEngine {
  private static final Logger LOG = Logger.getLogger(RolloutEngine.class);
  private static final Duration SWEEP_EVERY = Duration.ofSeconds(30);
  private static final long REVERT_POLL_MS = 10;

  @Inject RolloutService rollouts;
  @Inject PatchRolloutCommands patchRollouts;
  @Inject Checkpoints checkpoints;
  @Inject CanaryScaling scaling;
  @Inject Traffic traffic;
  @Inject WorkloadOps ops;
  @Inject RolloutResources resources;
  @Inject CanaryAnalysis analysis;
  @Inject RolloutConfig config;
  @Inject Leadership leadership;
  @Inject RolloutMetrics metrics;
  @Inject QuarantineEngine quarantines;
  @Inject WorkloadWatches workloadWatches;
  @Inject dev.patchops.rollout.policy.RolloutPolicies policies;

  private final Semaphore wake = new Semaphore(0);

  /** The earliest end of a pause or watch window seen in this pass: the engine thread's alone. */
  private Instant nextDue;

  /** Namespaces of the rollouts reconciled in this pass: the engine thread's alone. */
  private final Set<String> passNamespaces = new HashSet<>();

  /**
   * Since when a watched rollout's promoted Pods have been short of ready. Kept in memory: a new
   * leader starts the grace again, which delays a revert by at most one progress deadline.
   */
  private final Map<String, Instant> unreadySince = new ConcurrentHashMap<>();

  private volatile boolean running;

  /** Turns of the loop, leading or standing by: proof that a standby looked and left alone. */
  private final java.util.concurrent.atomic.AtomicLong turns =
      new java.util.concurrent.atomic.AtomicLong();

  private Thread thread;
  private Instant lastSweep = Instant.EPOCH;
  private Instant lastResync = Instant.EPOCH;
  private static final Duration RESYNC_EVERY = Duration.ofSeconds(2);

  void start(@Observes StartupEvent ignored) {
    running = true;
    thread = new Thread(this::loop, "rollout-engine");
    thread.setDaemon(true);
    thread.start();
  }

  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    resources.stop();
    workloadWatches.closeAll();
    if (thread != null) {
      thread.interrupt();
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  long turns() {
    return turns.get();
  }

  /** An alert, a command or a new rollout need not wait for the next tick. */
  public void wake() {
    wake.release();
  }

  private void loop() {
    while (running) {
      try {
        boolean reverting = false;
        if (leadership.isLeader()) {
          resources.watch(this::wake);
          reverting = pass();
        } else {
          // A standby neither schedules nor watches: the leader does both.
          nextDue = null;
          workloadWatches.closeAll();
        }
        // A revert waiting for the restored Pods is checked every few milliseconds, not per tick;
        // a pause or a watch window that ends before the next tick is acted on when it ends.
        long waitMs =
            reverting
                ? Math.min(REVERT_POLL_MS, config.tick().toMillis())
                : config.tick().toMillis();
        Instant due = nextDue;
        if (due != null) {
          waitMs =
              Math.max(1, Math.min(waitMs, Duration.between(Instant.now(), due).toMillis() + 1));
        }
        wake.tryAcquire(waitMs, TimeUnit.MILLISECONDS);
        wake.drainPermits();
        turns.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.errorf(e, "rollout engine pass failed; the next pass starts over from the database");
      }
    }
  }

  /**
   * @return whether a revert is still waiting to verify
   */
  boolean pass() {
    if (Instant.now().isAfter(lastResync.plus(RESYNC_EVERY))) {
      lastResync = Instant.now();
      resources.resync();
      try {
        policies.resync();
      } catch (KubernetesClientException e) {
        LOG.warnf("PatchRolloutPolicy statuses not checked (%s); next resync", e.getMessage());
      }
    }
    for (RolloutResources.Seen seen = resources.poll(); seen != null; seen = resources.poll()) {
      try {
        patchRollouts.handle(seen, this::wake);
      } catch (RuntimeException e) {
        LOG.warnf(e, "PatchRollout %s not handled", seen.resource().getMetadata().getName());
      }
    }
    List<String> active = rollouts.activeIds();
    metrics.active(active.size());
    boolean reverting = false;
    passNamespaces.clear();
    nextDue = null;
    for (String id : active) {
      if (!leadership.isLeader()) {
        return false;
      }
      try {
        reverting |= reconcile(id);
      } catch (KubernetesClientException e) {
        LOG.warnf(
            "rollout %s: API refused (%d %s); retried next pass", id, e.getCode(), e.getMessage());
      } catch (RuntimeException e) {
        LOG.warnf(e, "rollout %s: step failed; retried next pass", id);
      }
    }
    workloadWatches.retain(passNamespaces, this::wake);
    quarantines.pass(this::wake);
    if (Instant.now().isAfter(lastSweep.plus(SWEEP_EVERY))) {
      lastSweep = Instant.now();
      sweepOrphans();
    }
    return reverting;
  }

  /** Canaries whose rollout ended or is unknown (a crash before their cleanup) are removed. */
  void sweepOrphans() {
    for (WorkloadOps.Canary canary : ops.canaries()) {
      Rollout r = rollouts.get(canary.rolloutId());
      if (r == null || !r.phase.active()) {
        LOG.infof("removing orphaned canary %s/%s", canary.namespace(), canary.name());
        ops.removeCanary(canary.namespace(), canary.name(), canary.rolloutId());
      }
    }
  }

  /**
   * @return whether the rollout is left reverting
   */
  boolean reconcile(String id) {
    Rollout r = rollouts.get(id);
    if (r == null || !r.phase.active()) {
      return false;
    }
    passNamespaces.add(r.namespace);
    switch (r.phase) {
      case PENDING -> startOrGiveUp(r);
      case PROGRESSING, PROMOTING -> advance(r);
      case WATCHING -> watch(r);
      case REVERTING -> revert(r);
      default -> {}
    }
    Rollout after = rollouts.get(id);
    syncResource(after);
    if (after.phase != r.phase || after.stepIndex != r.stepIndex) {
      // Carry straight on: a revert or the next step must not wait for a tick.
      return reconcile(id);
    }
    if (!after.phase.active()) {
      forget(id);
    } else {
      noteDue(after);
    }
    return after.phase == RolloutPhase.REVERTING
        && (after.nextAttemptAt == null || !after.nextAttemptAt.isAfter(Instant.now()));
  }

  private void noteDue(Rollout r) {
    Instant due =
        switch (r.phase) {
          case WATCHING -> r.watchUntil;
          // The soak counts from readiness: a step not ready yet is due when it becomes ready,
          // which the Deployment watch wakes the engine for.
          case PROGRESSING ->
              r.stepReadyAt == null
                  ? null
                  : r.stepReadyAt.plusSeconds(r.currentStep().pauseSeconds());
          default -> null;
        };
    // A time already past (a canary slower than its pause, a paused rollout, a Prometheus error
    // being retried) is left to the tick: waking for it again would spin the engine.
    if (due != null && due.isAfter(Instant.now()) && (nextDue == null || due.isBefore(nextDue))) {
      nextDue = due;
    }
  }

  /**
   * A step or promotion that keeps failing for a reason no check looks at (an admission webhook
   * refusing the canary, a route deleted under us) reverts once the progress deadline has passed,
   * with the error as evidence, instead of retrying forever with a half-made canary.
   */
  private void advance(Rollout r) {
    try {
      if (r.phase == RolloutPhase.PROGRESSING) {
        step(r);
      } else {
        promote(r);
      }
    } catch (RuntimeException e) {
      if (Duration.between(r.stepStartedAt, Instant.now()).compareTo(progressDeadline(r)) <= 0) {
        throw e;
      }
      fail(
          r,
          "cannot "
              + (r.phase == RolloutPhase.PROGRESSING ? "run the canary" : "promote")
              + ": "
              + e.getMessage(),
          List.of(
              new AnalysisEvidence(
                  "api",
                  r.namespace + "/" + r.deployment,
                  String.valueOf(e.getMessage()),
                  null,
                  false)));
    }
  }

  /** Before any change, an error that outlasts the deadline ends the rollout: nothing changed. */
  private void startOrGiveUp(Rollout r) {
    try {
      checkpoint(r);
    } catch (RuntimeException e) {
      if (Duration.between(r.createdAt, Instant.now()).compareTo(progressDeadline(r)) <= 0) {
        throw e;
      }
      if (rollouts.failStart(
          r.id, "no checkpoint could be recorded, nothing changed: " + e.getMessage())) {
        metrics.outcome("failed");
      }
    }
  }

  private void syncResource(Rollout r) {
    if (r.crName == null) {
      RolloutResources.Created created = resources.create(r);
      r.crGeneration = rollouts.linkResource(r.id, created.name(), created.generation());
      r.crName = created.name();
    }
    String hash = r.phase == RolloutPhase.PENDING ? null : checkpoints.specHash(r.id);
    resources.writeStatus(
        r,
        hash,
        r.crGeneration,
        r.phase == RolloutPhase.PROGRESSING ? rollouts.plan(r, r.currentStep()) : null);
  }

  private void checkpoint(Rollout r) {
    Snapshot snapshot = checkpoints.capture(r.namespace, r.deployment, r.httpRoute);
    if (snapshot == null) {
      rollouts.failStart(
          r.id, "Deployment " + r.namespace + "/" + r.deployment + " not found; nothing changed");
      metrics.outcome("failed");
      return;
    }
    var names =
        snapshot.deployment().getSpec().getTemplate().getSpec().getContainers().stream()
            .map(c -> c.getName())
            .toList();
    List<String> missing = r.containers.stream().filter(c -> !names.contains(c)).toList();
    if (!missing.isEmpty()) {
      rollouts.failStart(
          r.id,
          "containers " + missing + " not in Deployment " + r.deployment + "; nothing changed");
      metrics.outcome("failed");
      return;
    }
    // The start checked the plan against the replicas then; they may have changed since.
    var unfit =
        CanaryScale.refusal(
            r.steps,
            Objects.requireNonNullElse(snapshot.deployment().getSpec().getReplicas(), 1),
            r.httpRoute != null,
            rollouts.maxExtraStable(snapshot.replicasManagedBy()),
            config.canaryScale().weightTolerance());
    if (unfit.isPresent()) {
      rollouts.failStart(r.id, unfit.get() + "; nothing changed");
      metrics.outcome("failed");
      return;
    }
    rollouts.recordCheckpoint(r.id, snapshot);
  }

  /**
   * One pass over a canary step, in the order Argo's canary controller uses: canary scaling,
   * traffic, readiness, then analysis and the pause. Each part is its own class; this method only
   * decides what follows from their answers.
   */
  private void step(Rollout r) {
    CanaryStep step = r.currentStep();
    if (r.promoteFull) {
      rollouts.stepPassed(
          r.id,
          r.stepIndex,
          List.of(new AnalysisEvidence("manual", "promote", "full", null, true)),
          true);
      return;
    }
    if (step.weight() >= 100) {
      rollouts.toPromoting(r.id, "final step: promoting");
      return;
    }
    CanaryScaling.Readiness conflict = scaling.ownerConflict(r);
    if (conflict != null) {
      fail(r, conflict.failure(), conflict.evidence());
      return;
    }
    Snapshot cp = checkpoints.of(r.id);
    CanaryScale.Plan plan = scaling.scale(r, cp);
    traffic.route(r, cp, step.weight());
    Duration deadline = progressDeadline(r);
    CanaryScaling.Readiness readiness =
        scaling.readiness(r, plan, deadline, maxRestarts(r), Instant.now());
    List<AnalysisEvidence> evidence = new ArrayList<>(readiness.evidence());
    if (readiness.failure() != null) {
      fail(r, readiness.failure(), evidence);
      return;
    }
    if (!readiness.ready()) {
      return;
    }
    if (r.stepReadyAt == null) {
      // The soak starts now, not when the step began: the time to get ready is not soak time.
      Instant ready = Instant.now();
      rollouts.stepReady(r.id, r.stepIndex, ready);
      r.stepReadyAt = ready;
    }
    Pause pause = Pause.of(r, Instant.now());
    CanaryAnalysis.Decision analysed =
        analysis.analyse(
            r.analysis,
            new CanaryAnalysis.Step(
                r.id,
                r.namespace,
                r.deployment,
                r.canaryName(),
                // The window opens when the canary is ready: what it served before is not its own.
                r.stepReadyAt,
                step.pauseSeconds(),
                pause.due(),
                deadline),
            Instant.now());
    evidence.addAll(analysed.evidence());
    if (analysed.kind() == CanaryAnalysis.Kind.FAIL) {
      fail(r, analysed.reason(), evidence);
      return;
    }
    if (analysed.kind() == CanaryAnalysis.Kind.WAIT || r.paused || !pause.due()) {
      return;
    }
    evidence.add(pause.evidence());
    if (r.promoteStep) {
      evidence.add(new AnalysisEvidence("manual", "promote", "step", null, true));
    }
    rollouts.stepPassed(r.id, r.stepIndex, evidence, false);
  }

  private int maxRestarts(Rollout r) {
    return r.analysis.maxRestarts() != null ? r.analysis.maxRestarts() : config.maxRestarts();
  }

  private Duration progressDeadline(Rollout r) {
    return r.analysis.progressDeadlineSeconds() != null
        ? Duration.ofSeconds(r.analysis.progressDeadlineSeconds())
        : config.progressDeadline();
  }

  private void fail(Rollout r, String reason, List<AnalysisEvidence> evidence) {
    if (rollouts.beginRevert(
        r.id, RevertTrigger.ANALYSIS, reason, evidence, Instant.now(), RolloutService.ACTOR)) {
      metrics.outcome("analysis_failed");
    }
  }

  private void promote(Rollout r) {
    ops.promote(r, scaling.scalesStable(r) ? r.baseReplicas : null);
    Deployment stable = ops.stable(r);
    if (WorkloadOps.rolledOut(stable) && imagesPatched(r, stable)) {
      // The route leaves the canary Service before the Service goes: no request finds it missing.
      traffic.reset(r);
      if (ops.removeCanary(r.namespace, r.canaryName(), r.id)) {
        if (rollouts.promoted(r.id)) {
          metrics.outcome("promoted");
        }
      }
      return;
    }
    int replicas = Math.max(1, Objects.requireNonNullElse(stable.getSpec().getReplicas(), 1));
    Duration deadline = progressDeadline(r).multipliedBy(replicas);
    if (Duration.between(r.stepStartedAt, Instant.now()).compareTo(deadline) > 0) {
      fail(
          r,
          "promoted Deployment not ready within " + deadline.toSeconds() + " s",
          List.of(
              new AnalysisEvidence(
                  "stable-ready",
                  r.namespace + "/" + r.deployment,
                  "not rolled out",
                  "within " + deadline.toSeconds() + " s",
                  false)));
    }
  }

  private static boolean imagesPatched(Rollout r, Deployment stable) {
    return stable.getSpec().getTemplate().getSpec().getContainers().stream()
        .filter(c -> r.containers.contains(c.getName()))
        .allMatch(c -> r.image.equals(c.getImage()));
  }

  /**
   * The watch window keeps the analysis on: the promoted Pods' restarts and containers that cannot
   * run (the step's rules), their readiness, and the bounded Prometheus queries. A failure reverts
   * to the checkpoint like a failed step; the window passes only after a last check found nothing.
   */
  private void watch(Rollout r) {
    Instant now = Instant.now();
    WorkloadOps.CanaryHealth health = ops.promotedHealth(r);
    String subject = r.namespace + "/" + r.deployment;
    List<AnalysisEvidence> evidence = new ArrayList<>();
    PodRules.Verdict pods =
        PodRules.runnable(
            "promoted", subject, r.deployment, health.restarts(), health.stuck(), maxRestarts(r));
    evidence.addAll(pods.evidence());
    if (pods.failed()) {
      fail(r, "watch window: " + pods.failure(), evidence);
      return;
    }
    Instant since = null;
    if (health.ready() < health.desired()) {
      since = unreadySince.computeIfAbsent(r.id, id -> now);
    } else {
      unreadySince.remove(r.id);
    }
    PodRules.Verdict ready =
        PodRules.ready(subject, health.ready(), health.desired(), since, now, progressDeadline(r));
    evidence.addAll(ready.evidence());
    if (ready.failed()) {
      fail(r, "watch window: " + ready.failure(), evidence);
      return;
    }
    CanaryAnalysis.Decision analysed =
        analysis.watch(r.analysis, r.id, r.namespace, r.deployment, progressDeadline(r), now);
    if (analysed.kind() == CanaryAnalysis.Kind.FAIL) {
      evidence.addAll(analysed.evidence());
      fail(r, "watch window: " + analysed.reason(), evidence);
      return;
    }
    if (!now.isBefore(r.watchUntil) && rollouts.watchPassed(r.id)) {
      metrics.outcome("succeeded");
    }
  }

  private void revert(Rollout r) {
    if (r.nextAttemptAt != null && Instant.now().isBefore(r.nextAttemptAt)) {
      return;
    }
    try {
      // Restore first (the route included, so it stops naming the canary Service), then remove
      // the canary: a failure in the cleanup must never keep the known-good spec from coming back.
      List<String> wrote = checkpoints.restore(r.id, r.restoreConfigDrift);
      if (r.restoreIssuedAt == null || !wrote.isEmpty()) {
        rollouts.restoreIssued(r.id, Instant.now(), wrote);
      }
      ops.removeCanary(r.namespace, r.canaryName(), r.id);
      if (checkpoints.differences(r.id, r.restoreConfigDrift).isEmpty()
          && ops.leftovers(r.namespace, r.id, r.canaryName()).isEmpty()
          && WorkloadOps.rolledOut(ops.stable(r))) {
        Duration took = rollouts.revertCompleted(r.id);
        if (took != null) {
          metrics.revertVerified(took);
          metrics.outcome(r.revertTrigger == RevertTrigger.MANUAL_ABORT ? "aborted" : "reverted");
        }
      }
    } catch (KubernetesClientException e) {
      rollouts.revertAttemptFailed(r.id, e.getCode() + " " + e.getMessage());
      metrics.outcome("revert_api_failure");
    } catch (RuntimeException e) {
      // Anything else (a checkpoint that no longer opens, a bug) must also back off and be told.
      rollouts.revertAttemptFailed(r.id, e.getClass().getSimpleName() + ": " + e.getMessage());
      metrics.outcome("revert_failure");
    }
  }

  private void forget(String id) {
    checkpoints.forget(id);
    unreadySince.remove(id);
    resources.forget(id);
    analysis.forget(id);
  }
}
