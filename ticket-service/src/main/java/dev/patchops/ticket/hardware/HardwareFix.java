package dev.patchops.ticket.hardware;

import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.ticket.patch.PatchRevision;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One revision of a hardware ticket's fix: what was done to the equipment and why, and the burn-in
 * on the quarantined node that must pass before workloads may use it again.
 */
@Entity
@Table(name = "hardware_fix")
@IdClass(PatchRevision.Key.class)
public class HardwareFix extends PanacheEntityBase {
  public enum State {
    TESTING,
    FAILED,
    PASSED,
    /** Passed, and approved by someone other than its author and the assignee. */
    APPROVED,
    /** Approved, and the rollout-service has put the node back into service. */
    RELEASED
  }

  @Id
  @Column(name = "ticket_id")
  public String ticketId;

  @Id public int revision;

  @Enumerated(EnumType.STRING)
  public State state;

  @Column(name = "what_was_done")
  public String whatWasDone;

  public String why;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "burn_in_suites")
  public List<TestSuiteSpec> burnInSuites;

  @Column(name = "node_name")
  public String nodeName;

  public String author;

  @Column(name = "recorded_at")
  public Instant recordedAt;

  @Column(name = "burn_in_run_id")
  public String burnInRunId;

  @Column(name = "burn_in_attempt")
  public int burnInAttempt;

  @Enumerated(EnumType.STRING)
  @Column(name = "burn_in_outcome")
  public TestOutcome burnInOutcome;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "burn_in_analytics")
  public TestAnalytics burnInAnalytics;

  @Column(name = "tested_at")
  public Instant testedAt;

  @Column(name = "approved_by")
  public String approvedBy;

  @Column(name = "approved_at")
  public Instant approvedAt;

  @Column(name = "released_at")
  public Instant releasedAt;

  public static HardwareFix find(String ticketId, int revision) {
    return findById(new PatchRevision.Key(ticketId, revision));
  }
}
