package dev.patchops.rollout.canary;

import dev.patchops.contract.events.CanaryStepFailed;
import dev.patchops.contract.events.CanaryStepPassed;
import dev.patchops.contract.events.CanaryStepStarted;
import dev.patchops.contract.events.CheckpointRecorded;
import dev.patchops.contract.events.RevertCompleted;
import dev.patchops.contract.events.RolloutControlled;
import dev.patchops.contract.events.RolloutNotStarted;
import dev.patchops.contract.events.RolloutPromoted;
import dev.patchops.contract.events.RolloutReverted;
import dev.patchops.contract.events.WatchWindowPassed;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.checkpoint.Checkpoint;
import dev.patchops.rollout.checkpoint.Checkpoints;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.rollout.config.RolloutConfig;
import dev.patchops.rollout.gate.GateRecords;
import dev.patchops.rollout.notify.Notifier;
import dev.patchops.rollout.policy.RolloutPolicies;
import dev.patchops.rollout.scaling.CanaryScale;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The rollouts' state, changed only together with the event that announces the change (outbox).
 * Every transition checks the phase it expects, so a transition computed on a stale view (the
 * engine racing an alert or an abort) does nothing instead of undoing the newer decision.
 */
@ApplicationScoped
public class RolloutService {
  private static final Logger LOG = Logger.getLogger(RolloutService.class);
  public static final String ACTOR = "rollout-service";
  static final String WORKLOAD_KIND = "Deployment";

  @Inject Outbox outbox;
  @Inject RolloutConfig config;
  @Inject Checkpoints checkpoints;
  @Inject Notifier notifier;
  @Inject GateRecords gateRecords;
  @Inject RolloutPolicies policies;
  @Inject WorkloadOps ops;

  /** An autoscaler owns the replica count: the stable side is never scaled for it. */
  public int maxExtraStable(String autoscaler) {
    return autoscaler != null ? 0 : Math.max(0, config.canaryScale().maxExtraStableReplicas());
  }

  /**
   * The sizes of a step of this rollout, against the replicas its checkpoint found; null for a
   * rollout checkpointed before honest weights (the engine then sizes from the checkpoint).
   */
  public CanaryScale.Plan plan(Rollout r, CanaryStep step) {
    if (r.baseReplicas == null) {
      return null;
    }
    return CanaryScale.plan(
        r.baseReplicas,
        Math.max(1, Math.min(100, step.weight())),
        r.httpRoute != null,
        r.maxExtraStable == null ? 0 : r.maxExtraStable,
        config.canaryScale().weightTolerance());
  }

  public Optional<Rollout> activeFor(String namespace, String deployment) {
    return Rollout.<Rollout>find(
            "namespace = ?1 and deployment = ?2 and phase not in ?3",
            namespace,
            deployment,
            RolloutPhase.TERMINAL)
        .firstResultOptional();
  }

  @Transactional
  public Rollout get(String id) {
    return Rollout.findById(id);
  }

  /**
   * Active rollouts an alert is about: those of the workloads it maps to, those whose canary it
   * names, or those of the ticket the alert is tied to.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public List<Rollout> revertibleFor(
      List<WorkloadRef> workloads, List<String> rolloutIds, String ticketId) {
    List<RolloutPhase> phases =
        List.of(RolloutPhase.PROGRESSING, RolloutPhase.PROMOTING, RolloutPhase.WATCHING);
    Map<String, Rollout> hit = new LinkedHashMap<>();
    for (WorkloadRef workload : workloads) {
      Rollout.<Rollout>find(
              "namespace = ?1 and deployment = ?2 and phase in ?3",
              workload.namespace(),
              workload.name(),
              phases)
          .list()
          .forEach(r -> hit.putIfAbsent(r.id, r));
    }
    if (!rolloutIds.isEmpty()) {
      Rollout.<Rollout>find("id in ?1 and phase in ?2", rolloutIds, phases)
          .list()
          .forEach(r -> hit.putIfAbsent(r.id, r));
    }
    if (ticketId != null) {
      Rollout.<Rollout>find("ticketId = ?1 and phase in ?2", ticketId, phases)
          .list()
          .forEach(r -> hit.putIfAbsent(r.id, r));
    }
    return List.copyOf(hit.values());
  }

  /** The alert severities that revert this rollout: its policy's, else the service's. */
  public List<dev.patchops.contract.model.Severity> revertSeverities(Rollout r) {
    return r.revertSeverities == null || r.revertSeverities.isEmpty()
        ? config.revertSeverities()
        : r.revertSeverities.stream().map(dev.patchops.contract.model.Severity::valueOf).toList();
  }

  /** An alert that reached the rollout but, by {@link AlertRules}, does not revert it. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void alertIgnored(
      Rollout r,
      dev.patchops.contract.events.AlertReceived alert,
      String correlation,
      AlertRules.Verdict verdict) {
    LOG.infof(
        "alert %s on %s does not revert %s: %s",
        alert.alertName(), correlation, r.id, verdict.detail());
    outbox.publish(
        new dev.patchops.contract.events.RolloutAlertIgnored(
            r.ticketId,
            r.id,
            alert.alertName(),
            alert.fingerprint(),
            alert.severity(),
            alert.labels() == null ? Map.of() : alert.labels(),
            alert.startsAt(),
            correlation,
            verdict.reason(),
            verdict.detail(),
            Instant.now(),
            r.image,
            r.origin,
            r.startedBy),
        subject(r),
        ACTOR);
  }

  @Transactional
  public Rollout byResource(String namespace, String crName) {
    return Rollout.<Rollout>find(
            "namespace = ?1 and crName = ?2 order by createdAt desc", namespace, crName)
        .firstResultOptional()
        .orElse(null);
  }

  /** Every rollout not yet ended, for {@link AlertReach}: a handful, read once per poll. */
  @Transactional
  public List<AlertReach.Running> running() {
    return Rollout.<Rollout>find("phase not in ?1", RolloutPhase.TERMINAL).list().stream()
        .map(r -> new AlertReach.Running(r.namespace, r.deployment, r.ticketId))
        .toList();
  }

  @Transactional
  public List<String> activeIds() {
    return Rollout.<Rollout>find("phase not in ?1 order by createdAt", RolloutPhase.TERMINAL)
        .list()
        .stream()
        .map(r -> r.id)
        .toList();
  }

  /** The checkpoint is stored and announced before the engine changes anything. */
  @Transactional
  public boolean recordCheckpoint(String id, Snapshot snapshot) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.PENDING) {
      return false;
    }
    Checkpoint cp = checkpoints.store(id, snapshot);
    r.baseReplicas = Optional.ofNullable(snapshot.deployment().getSpec().getReplicas()).orElse(1);
    r.maxExtraStable = maxExtraStable(snapshot.replicasManagedBy());
    outbox.publish(
        new CheckpointRecorded(
            r.ticketId,
            r.id,
            r.revision,
            workload(r),
            cp.id,
            cp.specHash,
            cp.configHashes,
            cp.recordedAt,
            r.image,
            r.origin,
            r.startedBy,
            r.policy()),
        subject(r),
        ACTOR);
    r.moveTo(RolloutPhase.PROGRESSING);
    r.stepIndex = 0;
    r.message = "checkpoint recorded";
    startStep(r);
    return true;
  }

  private void startStep(Rollout r) {
    r.stepStartedAt = Instant.now();
    r.stepReadyAt = null;
    r.promoteStep = false;
    r.updatedAt = r.stepStartedAt;
    CanaryScale.Plan plan = plan(r, r.currentStep());
    outbox.publish(
        new CanaryStepStarted(
            r.ticketId,
            r.id,
            r.stepIndex + 1,
            r.currentStep().weight(),
            r.stepStartedAt,
            r.image,
            r.origin,
            r.startedBy,
            plan == null ? null : plan.actualRounded(),
            plan == null ? null : plan.canaryReplicas(),
            plan == null ? null : plan.stableReplicas()),
        subject(r),
        ACTOR);
  }

  /**
   * Every Pod of the step is ready: its pause starts now. Kept once per step, so a restart or a new
   * leader measures the same soak.
   */
  @Transactional
  public boolean stepReady(String id, int stepIndex, Instant at) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.PROGRESSING || r.stepIndex != stepIndex || r.stepReadyAt != null) {
      return false;
    }
    r.stepReadyAt = at;
    r.updatedAt = at;
    return true;
  }

  @Transactional
  public boolean failStart(String id, String reason) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.PENDING) {
      return false;
    }
    r.moveTo(RolloutPhase.FAILED);
    r.message = reason;
    r.finishedAt = Instant.now();
    r.updatedAt = r.finishedAt;
    notStarted(r, reason);
    return true;
  }

  /** The step's analysis passed: the next step, or promotion after the last. */
  @Transactional
  public boolean stepPassed(
      String id, int stepIndex, List<AnalysisEvidence> evidence, boolean all) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.PROGRESSING || r.stepIndex != stepIndex) {
      return false;
    }
    CanaryScale.Plan plan = plan(r, r.currentStep());
    outbox.publish(
        new CanaryStepPassed(
            r.ticketId,
            r.id,
            stepIndex + 1,
            r.currentStep().weight(),
            evidence,
            Instant.now(),
            r.image,
            r.origin,
            r.startedBy,
            plan == null ? null : plan.actualRounded(),
            plan == null ? null : plan.canaryReplicas(),
            plan == null ? null : plan.stableReplicas()),
        subject(r),
        ACTOR);
    int next = stepIndex + 1;
    if (all || next >= r.steps.size() || r.steps.get(next).weight() >= 100) {
      r.moveTo(RolloutPhase.PROMOTING);
      r.stepStartedAt = Instant.now();
      r.message = all ? "promoting (all steps, by request)" : "promoting";
      r.updatedAt = r.stepStartedAt;
      if (next < r.steps.size()) {
        r.stepIndex = r.steps.size() - 1;
      }
    } else {
      r.stepIndex = next;
      r.message = "step " + (next + 1) + " of " + r.steps.size();
      startStep(r);
    }
    return true;
  }

  /** A 100 % first step, or a promote-all before any step passed, goes straight to promotion. */
  @Transactional
  public boolean toPromoting(String id, String why) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.PROGRESSING) {
      return false;
    }
    r.moveTo(RolloutPhase.PROMOTING);
    r.stepIndex = r.steps.size() - 1;
    r.stepStartedAt = Instant.now();
    r.message = why;
    r.updatedAt = r.stepStartedAt;
    return true;
  }

  /**
   * Arms the revert. Any active phase may be reverted; a rollout still PENDING changed nothing, so
   * it simply fails. Announced at once, with the evidence behind the decision.
   */
  @Transactional
  public boolean beginRevert(
      String id,
      RevertTrigger trigger,
      String reason,
      List<AnalysisEvidence> evidence,
      Instant detectedAt,
      String actor) {
    Rollout r = lock(id);
    if (r.phase == RolloutPhase.PENDING) {
      r.moveTo(RolloutPhase.FAILED);
      r.message = "stopped before any change: " + reason;
      r.finishedAt = Instant.now();
      r.updatedAt = r.finishedAt;
      notStarted(r, r.message);
      return true;
    }
    if (!r.phase.revertible()) {
      return false;
    }
    RevertTrigger effective =
        trigger == RevertTrigger.ALERT && r.phase == RolloutPhase.WATCHING
            ? RevertTrigger.WATCH_WINDOW_ALERT
            : trigger;
    List<AnalysisEvidence> drift = configDrift(r);
    if (!drift.isEmpty()) {
      evidence = new ArrayList<>(evidence);
      evidence.addAll(drift);
    }
    if (r.phase == RolloutPhase.PROGRESSING && effective != RevertTrigger.MANUAL_ABORT) {
      CanaryScale.Plan plan = plan(r, r.currentStep());
      outbox.publish(
          new CanaryStepFailed(
              r.ticketId,
              r.id,
              r.stepIndex + 1,
              r.currentStep().weight(),
              reason,
              evidence,
              detectedAt,
              r.image,
              r.origin,
              r.startedBy,
              plan == null ? null : plan.actualRounded(),
              plan == null ? null : plan.canaryReplicas(),
              plan == null ? null : plan.stableReplicas()),
          subject(r),
          actor);
    }
    r.moveTo(RolloutPhase.REVERTING);
    r.revertTrigger = effective;
    r.revertReason = reason;
    r.revertEvidence = evidence;
    r.detectedAt = detectedAt;
    r.restoreIssuedAt = null;
    r.restored = new ArrayList<>();
    r.revertAttempts = 0;
    r.nextAttemptAt = null;
    r.message = "reverting: " + reason;
    r.updatedAt = Instant.now();
    outbox.publish(
        new RolloutReverted(
            r.ticketId,
            r.id,
            r.revision,
            effective,
            reason,
            evidence,
            r.updatedAt,
            r.image,
            r.origin,
            r.startedBy),
        subject(r),
        actor);
    notifier.queue(
        r.id,
        Notifier.Kind.REVERTED,
        r.ticketId,
        "reverting " + r.namespace + "/" + r.deployment + " to its checkpoint: " + reason,
        Map.of("trigger", effective.name(), "evidence", evidence));
    return true;
  }

  /**
   * What someone else changed in the rollout's ConfigMaps and Secrets since its checkpoint, and
   * what the revert does with it: part of the revert's evidence. A check that cannot be made is
   * said so; it never holds the revert up.
   */
  private List<AnalysisEvidence> configDrift(Rollout r) {
    try {
      return checkpoints.drift(r.id, r.restoreConfigDrift);
    } catch (RuntimeException e) {
      return List.of(
          new AnalysisEvidence(
              "config-drift",
              r.namespace + "/" + r.deployment,
              "not checked: " + e.getMessage(),
              null,
              false));
    }
  }

  @Transactional
  public void restoreIssued(String id, Instant at, List<String> wrote) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.REVERTING) {
      return;
    }
    if (r.restoreIssuedAt == null) {
      r.restoreIssuedAt = at;
    }
    List<String> all = new ArrayList<>(r.restored == null ? List.of() : r.restored);
    wrote.stream().filter(item -> !all.contains(item)).forEach(all::add);
    r.restored = all;
  }

  /** The API refused part of the revert: try again after a backoff, and say so once in a while. */
  @Transactional
  public void revertAttemptFailed(String id, String error) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.REVERTING) {
      return;
    }
    r.revertAttempts++;
    long backoff =
        Math.min(
            config.revertBackoffMax().toMillis(),
            config.revertBackoffMin().toMillis() << Math.min(r.revertAttempts - 1, 16));
    r.nextAttemptAt = Instant.now().plusMillis(backoff);
    r.message = "revert attempt " + r.revertAttempts + " failed, retrying: " + error;
    r.updatedAt = Instant.now();
    if (r.revertAttempts == 1 || r.revertAttempts % 10 == 0) {
      notifier.queue(
          r.id,
          Notifier.Kind.REVERT_FAILING,
          r.ticketId,
          "revert of " + r.namespace + "/" + r.deployment + " is failing, still retrying: " + error,
          Map.of("attempts", r.revertAttempts));
    }
  }

  @Transactional
  public Duration revertCompleted(String id) {
    Rollout r = lock(id);
    List<String> restored = r.restored == null ? List.of() : List.copyOf(r.restored);
    if (r.phase != RolloutPhase.REVERTING) {
      return null;
    }
    Instant now = Instant.now();
    Duration took = Duration.between(r.detectedAt, now);
    r.moveTo(RolloutPhase.REVERTED);
    r.message = "reverted and verified: " + r.revertReason;
    r.finishedAt = now;
    r.updatedAt = now;
    outbox.publish(
        new RevertCompleted(
            r.ticketId,
            r.id,
            true,
            took.toMillis(),
            restored,
            now,
            r.detectedAt,
            r.restoreIssuedAt,
            r.revertAttempts,
            r.image,
            r.origin,
            r.startedBy),
        subject(r),
        ACTOR);
    notifier.queue(
        r.id,
        Notifier.Kind.REVERT_COMPLETED,
        r.ticketId,
        "reverted and verified in " + took.toMillis() + " ms",
        Map.of("restored", restored, "durationMs", took.toMillis()));
    return took;
  }

  @Transactional
  public boolean promoted(String id) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.PROMOTING) {
      return false;
    }
    Instant now = Instant.now();
    r.moveTo(RolloutPhase.WATCHING);
    r.watchUntil =
        now.plus(
            r.watchWindowSeconds == null
                ? config.watchWindow()
                : Duration.ofSeconds(r.watchWindowSeconds));
    r.message = "promoted; watching until " + r.watchUntil;
    r.updatedAt = now;
    outbox.publish(
        new RolloutPromoted(
            r.ticketId,
            r.id,
            r.revision,
            workload(r),
            now,
            r.watchUntil,
            r.image,
            r.origin,
            r.startedBy),
        subject(r),
        ACTOR);
    notifier.queue(
        r.id,
        Notifier.Kind.PROMOTED,
        r.ticketId,
        "promoted " + r.namespace + "/" + r.deployment + " to " + r.image,
        Map.of("watchUntil", r.watchUntil.toString()));
    return true;
  }

  @Transactional
  public boolean watchPassed(String id) {
    Rollout r = lock(id);
    if (r.phase != RolloutPhase.WATCHING || Instant.now().isBefore(r.watchUntil)) {
      return false;
    }
    r.moveTo(RolloutPhase.SUCCEEDED);
    r.finishedAt = Instant.now();
    r.message = "watch window passed";
    r.updatedAt = r.finishedAt;
    outbox.publish(
        new WatchWindowPassed(r.ticketId, r.id, r.finishedAt, r.image, r.origin, r.startedBy),
        subject(r),
        ACTOR);
    return true;
  }

  /** Manual control: the same for REST and for the PatchRollout's spec. */
  public enum Command {
    PAUSE,
    RESUME,
    PROMOTE,
    PROMOTE_FULL,
    ABORT
  }

  @Transactional
  public Rollout command(String id, Command command, String actor) {
    Rollout r = Rollout.findById(id, LockModeType.PESSIMISTIC_WRITE);
    if (r == null) {
      throw ApiException.notFound("rollout " + id);
    }
    if (!r.phase.active() || r.phase == RolloutPhase.REVERTING) {
      throw ApiException.conflict(
          "rollout-not-controllable",
          "rollout " + id + " is " + r.phase + "; " + command + " does not apply");
    }
    switch (command) {
      case PAUSE -> r.paused = true;
      case RESUME -> r.paused = false;
      case PROMOTE -> {
        requirePhase(r, command, RolloutPhase.PROGRESSING);
        r.promoteStep = true;
        r.paused = false;
      }
      case PROMOTE_FULL -> {
        requirePhase(r, command, RolloutPhase.PROGRESSING);
        r.promoteFull = true;
        r.paused = false;
      }
      case ABORT -> {
        beginRevert(
            id,
            RevertTrigger.MANUAL_ABORT,
            "aborted by " + actor,
            List.of(new AnalysisEvidence("manual", "abort", actor, null, false)),
            Instant.now(),
            actor);
        return r;
      }
    }
    r.message = command.name().toLowerCase().replace('_', ' ') + " by " + actor;
    r.updatedAt = Instant.now();
    outbox.publish(
        new RolloutControlled(
            r.ticketId, r.id, command.name(), actor, r.updatedAt, r.image, r.origin, r.startedBy),
        subject(r),
        actor);
    return r;
  }

  private static void requirePhase(Rollout r, Command command, RolloutPhase phase) {
    if (r.phase != phase) {
      throw ApiException.conflict(
          "rollout-not-controllable",
          "rollout " + r.id + " is " + r.phase + "; " + command + " needs " + phase);
    }
  }

  /**
   * The rollout's resource, made by the service: the spec of {@code generation} (0: one that
   * existed already) is the rollout's own, neither paused nor promoted, so it counts as seen (the
   * status reports it observed) and is not read back as a command.
   *
   * @return the generation the status reports observed
   */
  @Transactional
  public long linkResource(String id, String crName, long generation) {
    Rollout r = lock(id);
    r.crName = crName;
    if (generation > r.crGeneration) {
      r.crGeneration = generation;
      r.crPausedSeen = false;
      r.crPromoteSeen = null;
    }
    return r.crGeneration;
  }

  @Transactional
  public void resourceSeen(String id, long generation, String promoteSeen, boolean pausedSeen) {
    Rollout r = lock(id);
    r.crGeneration = generation;
    r.crPromoteSeen = promoteSeen;
    r.crPausedSeen = pausedSeen;
  }

  /** The ticket learns that this revision's rollout ended with the workload untouched. */
  void notStarted(Rollout r, String reason) {
    outbox.publish(
        new RolloutNotStarted(
            r.ticketId,
            r.id,
            r.revision,
            workload(r),
            reason,
            Instant.now(),
            r.image,
            r.origin,
            r.startedBy),
        subject(r),
        ACTOR);
  }

  private static Rollout lock(String id) {
    Rollout r = Rollout.findById(id, LockModeType.PESSIMISTIC_WRITE);
    if (r == null) {
      throw new IllegalStateException("no rollout " + id);
    }
    return r;
  }

  static WorkloadRef workload(Rollout r) {
    return new WorkloadRef(r.namespace, WORKLOAD_KIND, r.deployment);
  }

  private static String subject(Rollout r) {
    return "rollouts/" + r.id;
  }
}
