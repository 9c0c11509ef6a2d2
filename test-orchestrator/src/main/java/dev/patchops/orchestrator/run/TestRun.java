package dev.patchops.orchestrator.run;

import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
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
@Table(name = "test_run")
public class TestRun extends PanacheEntityBase {
  @Id
  @Column(name = "run_id")
  public String runId;

  @Column(name = "ticket_id")
  public String ticketId;

  public int revision;
  public int attempt;

  @Enumerated(EnumType.STRING)
  public RunState state;

  @Enumerated(EnumType.STRING)
  public RunKind kind = RunKind.MIRROR;

  /** The quarantined node of a burn-in; null for a mirror test. */
  @Column(name = "burn_in_node")
  public String burnInNode;

  public String namespace;

  @Column(name = "source_namespace")
  public String sourceNamespace;

  /** A mirror test's request; null for a burn-in. */
  @JdbcTypeCode(SqlTypes.JSON)
  public TestRunRequested request;

  /** A burn-in's request; null for a mirror test. */
  @Column(name = "burn_in")
  @JdbcTypeCode(SqlTypes.JSON)
  public BurnInRequested burnIn;

  /** Who wrote the revision under test, told of its failures; null for a burn-in. */
  public String author;

  @JdbcTypeCode(SqlTypes.JSON)
  public TestAnalytics analytics;

  @Enumerated(EnumType.STRING)
  public TestOutcome outcome;

  @Column(name = "ready_published")
  public boolean readyPublished;

  @Column(name = "deleted_published")
  public boolean deletedPublished;

  @Column(name = "requested_at")
  public Instant requestedAt;

  @Column(name = "started_at")
  public Instant startedAt;

  @Column(name = "completed_at")
  public Instant completedAt;

  @Column(name = "lease_until")
  public Instant leaseUntil;

  @Column(name = "lease_owner")
  public String leaseOwner;

  @Column(name = "expires_at")
  public Instant expiresAt;

  public List<TestSuiteSpec> suites() {
    return kind == RunKind.BURN_IN ? burnIn.testSuites() : request.testSuites();
  }
}
