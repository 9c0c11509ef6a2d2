package dev.patchops.rollout.canary;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "rollout")
public class Rollout extends PanacheEntityBase {
  @Id public String id;

  @Column(name = "ticket_id")
  public String ticketId;

  public int revision;
  public String namespace;
  public String deployment;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<String> containers;

  public String image;

  @Column(name = "http_route")
  public String httpRoute;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<CanaryStep> steps;

  @JdbcTypeCode(SqlTypes.JSON)
  public AnalysisSpec analysis;

  /** The path it came by; {@code EMERGENCY} when it went around the approval and freeze gates. */
  @Enumerated(EnumType.STRING)
  public RolloutOrigin origin;

  @Column(name = "emergency_reason")
  public String emergencyReason;

  @Column(name = "started_by")
  public String startedBy;

  @Enumerated(EnumType.STRING)
  public RolloutPhase phase;

  @Column(name = "step_index")
  public int stepIndex;

  @Column(name = "step_started_at")
  public Instant stepStartedAt;

  /** When every Pod of the current step was ready: its pause counts from here, not its start. */
  @Column(name = "step_ready_at")
  public Instant stepReadyAt;

  /** The stable Deployment's replicas at the checkpoint: what every step is sized against. */
  @Column(name = "base_replicas")
  public Integer baseReplicas;

  /** Stable replicas a step may add (0 when an autoscaler owns the count). */
  @Column(name = "max_extra_stable")
  public Integer maxExtraStable;

  public boolean paused;

  @Column(name = "promote_full")
  public boolean promoteFull;

  @Column(name = "promote_step")
  public boolean promoteStep;

  public String message;

  @Enumerated(EnumType.STRING)
  @Column(name = "revert_trigger")
  public RevertTrigger revertTrigger;

  @Column(name = "revert_reason")
  public String revertReason;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "revert_evidence")
  public List<AnalysisEvidence> revertEvidence;

  @Column(name = "detected_at")
  public Instant detectedAt;

  @Column(name = "restore_issued_at")
  public Instant restoreIssuedAt;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<String> restored = new java.util.ArrayList<>();

  @Column(name = "revert_attempts")
  public int revertAttempts;

  @Column(name = "next_attempt_at")
  public Instant nextAttemptAt;

  @Column(name = "watch_until")
  public Instant watchUntil;

  @Column(name = "cr_name")
  public String crName;

  @Column(name = "cr_generation")
  public long crGeneration;

  @Column(name = "cr_promote_seen")
  public String crPromoteSeen;

  @Column(name = "cr_paused_seen")
  public Boolean crPausedSeen;

  /** The PatchRolloutPolicy it runs with; null when none matched and the defaults apply. */
  @Column(name = "policy_name")
  public String policyName;

  /** The policy's {@code metadata.generation} when the rollout started. */
  @Column(name = "policy_generation")
  public Long policyGeneration;

  @Column(name = "policy_reason")
  public String policyReason;

  /** The policy's watch window; null: the service's. */
  @Column(name = "watch_window_seconds")
  public Long watchWindowSeconds;

  /** Alert severities that revert it; null: the service's. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "revert_severities")
  public List<String> revertSeverities;

  /**
   * Whether a revert puts back a ConfigMap or Secret someone else changed during the rollout (the
   * policy's configDrift: restore); false keeps it and reports it as drift.
   */
  @Column(name = "restore_config_drift")
  public boolean restoreConfigDrift;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;

  @Column(name = "finished_at")
  public Instant finishedAt;

  @Version public long version;

  /**
   * The one way a rollout changes phase. A move the table on {@link RolloutPhase} does not allow is
   * a bug in the caller, not a user's mistake, so it throws instead of returning a refusal.
   */
  public void moveTo(RolloutPhase next) {
    boolean allowed = phase == null ? RolloutPhase.INITIAL.contains(next) : phase.canMoveTo(next);
    if (!allowed) {
      throw new IllegalStateException(
          "rollout " + id + " cannot move from " + phase + " to " + next);
    }
    phase = next;
  }

  public CanaryStep currentStep() {
    return steps.get(Math.min(stepIndex, steps.size() - 1));
  }

  /** The policy it ran with, for events and views; null when it ran with the defaults. */
  public dev.patchops.contract.model.RolloutPolicyRef policy() {
    return policyName == null
        ? null
        : new dev.patchops.contract.model.RolloutPolicyRef(
            policyName, policyGeneration == null ? 0 : policyGeneration, policyReason);
  }

  public String canaryName() {
    return deployment + "-canary";
  }
}
