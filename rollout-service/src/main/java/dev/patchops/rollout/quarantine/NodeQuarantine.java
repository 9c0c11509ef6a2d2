package dev.patchops.rollout.quarantine;

import dev.patchops.contract.model.EquipmentRef;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

@Entity
@Table(name = "node_quarantine")
public class NodeQuarantine extends PanacheEntityBase {
  public enum State {
    /** Asked for; the node is not cordoned yet. */
    REQUESTED,
    /** Cordoned and tainted; its Pods are being evicted, within their disruption budgets. */
    DRAINING,
    /**
     * Cordoned, tainted and drained; waiting for a passing burn-in and its approval by someone
     * other than the assignee, or for the assignee's plan-B release.
     */
    QUARANTINED,
    /** Released (approved burn-in, or plan B); the node's previous state is being restored. */
    RELEASING,
    RELEASED
  }

  @Id
  @Column(name = "ticket_id")
  public String ticketId;

  @JdbcTypeCode(SqlTypes.JSON)
  public EquipmentRef equipment;

  @Column(name = "node_name")
  public String nodeName;

  @Enumerated(EnumType.STRING)
  public State state;

  @Column(name = "previous_unschedulable")
  public Boolean previousUnschedulable;

  /** The taints before quarantine, each as {@code key=value:effect}. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "previous_taints")
  public List<String> previousTaints;

  @Column(name = "burn_in_run")
  public String burnInRun;

  @Column(name = "burn_in_passed")
  public Boolean burnInPassed;

  /** {@link dev.patchops.contract.model.HardwareReleaseMode}: set when the release is decided. */
  @Column(name = "release_mode")
  public String releaseMode;

  @Column(name = "released_by")
  public String releasedBy;

  @Column(name = "release_reason")
  public String releaseReason;

  @Column(name = "requested_at")
  public Instant requestedAt;

  @Column(name = "quarantined_at")
  public Instant quarantinedAt;

  @Column(name = "released_at")
  public Instant releasedAt;

  @Column(name = "next_attempt_at")
  public Instant nextAttemptAt;

  public String message;

  /** Pods evicted by the drain, as {@code namespace/name}. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "drain_evicted")
  public List<String> drainEvicted;

  @Column(name = "drain_blocked_reported")
  public boolean drainBlockedReported;

  public int breaches;

  @Column(name = "last_breach_at")
  public Instant lastBreachAt;
}
