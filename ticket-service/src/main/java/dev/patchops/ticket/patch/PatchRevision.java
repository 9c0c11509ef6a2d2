package dev.patchops.ticket.patch;

import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One revision of a ticket's patch, with its test result and the decision on it. */
@Entity
@Table(name = "patch_revision")
@IdClass(PatchRevision.Key.class)
public class PatchRevision extends PanacheEntityBase {
  @Id
  @Column(name = "ticket_id")
  public String ticketId;

  @Id public int revision;

  @Enumerated(EnumType.STRING)
  public RevisionState state;

  @Column(name = "repository_url")
  public String repositoryUrl;

  @Column(name = "commit_sha")
  public String commitSha;

  @Column(name = "pull_request_url")
  public String pullRequestUrl;

  public String image;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<ContainerTarget> targets;

  @Column(name = "change_what")
  public String changeWhat;

  @Column(name = "change_why")
  public String changeWhy;

  public String author;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "test_suites")
  public List<TestSuiteSpec> testSuites;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "canary_steps")
  public List<CanaryStep> canarySteps;

  @Column(name = "proposed_at")
  public Instant proposedAt;

  @Column(name = "test_run_id")
  public String testRunId;

  @Column(name = "test_attempt")
  public int testAttempt;

  @Column(name = "test_namespace")
  public String testNamespace;

  @Enumerated(EnumType.STRING)
  @Column(name = "test_outcome")
  public TestOutcome testOutcome;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "test_analytics")
  public TestAnalytics testAnalytics;

  @Column(name = "tested_at")
  public Instant testedAt;

  @Column(name = "decided_by")
  public String decidedBy;

  @Column(name = "decided_at")
  public Instant decidedAt;

  @Column(name = "decision_reason")
  public String decisionReason;

  public boolean emergency;

  /** Emergency changes are reviewed after the fact. */
  @Column(name = "review_required")
  public boolean reviewRequired;

  @Column(name = "revert_reason")
  public String revertReason;

  @Column(name = "reviewed_by")
  public String reviewedBy;

  @Column(name = "reviewed_at")
  public Instant reviewedAt;

  @Column(name = "review_accepted")
  public Boolean reviewAccepted;

  @Column(name = "review_findings")
  public String reviewFindings;

  /** The rollout that carries this revision, bound by its first event. */
  @Column(name = "rollout_id")
  public String rolloutId;

  public static PatchRevision find(String ticketId, int revision) {
    return findById(new Key(ticketId, revision));
  }

  public static class Key implements Serializable {
    public String ticketId;
    public int revision;

    public Key() {}

    public Key(String ticketId, int revision) {
      this.ticketId = ticketId;
      this.revision = revision;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && revision == k.revision && Objects.equals(ticketId, k.ticketId);
    }

    @Override
    public int hashCode() {
      return Objects.hash(ticketId, revision);
    }
  }
}
