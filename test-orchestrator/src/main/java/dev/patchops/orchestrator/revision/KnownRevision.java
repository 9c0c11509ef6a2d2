package dev.patchops.orchestrator.revision;

import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestSuiteSpec;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A revision as the ticket-service proposed it: who wrote it and what it may be tested with. */
@Entity
@Table(name = "known_revision")
public class KnownRevision extends PanacheEntityBase {
  @Embeddable
  public record Key(
      @Column(name = "ticket_id") String ticketId, @Column(name = "revision") int revision)
      implements Serializable {}

  @EmbeddedId public Key id;

  public String author;
  public String image;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<ContainerTarget> targets;

  @Column(name = "test_suites")
  @JdbcTypeCode(SqlTypes.JSON)
  public List<TestSuiteSpec> testSuites;

  @Column(name = "proposed_at")
  public Instant proposedAt;

  public static KnownRevision find(String ticketId, int revision) {
    return findById(new Key(ticketId, revision));
  }
}
