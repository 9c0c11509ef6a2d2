package dev.patchops.ticket.tickets;

import dev.patchops.contract.model.HardwareReleaseMode;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

@Entity
@Table(name = "ticket")
public class Ticket extends PanacheEntityBase {
  @Id public String id;

  @Enumerated(EnumType.STRING)
  public TicketKind kind;

  public String title;
  public String description;

  @Enumerated(EnumType.STRING)
  public Severity severity;

  public String reporter;

  @Enumerated(EnumType.STRING)
  public TicketSource source;

  @Enumerated(EnumType.STRING)
  public TicketState state;

  @Column(name = "workload_namespace")
  public String workloadNamespace;

  @Column(name = "workload_kind")
  public String workloadKind;

  @Column(name = "workload_name")
  public String workloadName;

  @Column(name = "equipment_id")
  public String equipmentId;

  public String assignee;

  @Column(name = "alert_fingerprint")
  public String alertFingerprint;

  @Column(name = "opened_at")
  public Instant openedAt;

  @Column(name = "detected_at")
  public Instant detectedAt;

  @Column(name = "acknowledged_at")
  public Instant acknowledgedAt;

  @Column(name = "mitigated_at")
  public Instant mitigatedAt;

  @Column(name = "resolved_at")
  public Instant resolvedAt;

  @Column(name = "closed_at")
  public Instant closedAt;

  /** How many patch revisions were needed; the process's own quality metric. */
  public int iterations;

  @Column(name = "current_revision")
  public Integer currentRevision;

  /** When the rollout-service confirmed the node cordoned and tainted; a burn-in needs it. */
  @Column(name = "node_quarantined_at")
  public Instant nodeQuarantinedAt;

  @Column(name = "quarantine_taint")
  public String quarantineTaint;

  @Column(name = "quarantine_released_at")
  public Instant quarantineReleasedAt;

  /** How the node went back: BURN_IN or MANUAL; null while quarantined or never released. */
  @Enumerated(EnumType.STRING)
  @Column(name = "quarantine_release_mode")
  public HardwareReleaseMode quarantineReleaseMode;

  /** Plan B, once per ticket: who asked for the node back without an approved burn-in, and why. */
  @Column(name = "manual_release_by")
  public String manualReleaseBy;

  @Column(name = "manual_release_reason")
  public String manualReleaseReason;

  @Column(name = "manual_release_requested_at")
  public Instant manualReleaseRequestedAt;

  @Version public long version;
}
