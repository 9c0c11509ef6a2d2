package dev.patchops.ticket.rootcause;

import dev.patchops.contract.model.RootCauseMethod;
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

/** The recorded root cause of a ticket: the gate in front of every patch. */
@Entity
@Table(name = "root_cause")
public class RootCause extends PanacheEntityBase {
  @Id
  @Column(name = "ticket_id")
  public String ticketId;

  @Enumerated(EnumType.STRING)
  public RootCauseMethod method;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<String> whys;

  @Column(name = "root_cause")
  public String rootCause;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "contributing_factors")
  public List<String> contributingFactors;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "affected_components")
  public List<String> affectedComponents;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "evidence_refs")
  public List<String> evidenceRefs;

  @Column(name = "recorded_by")
  public String recordedBy;

  @Column(name = "recorded_at")
  public Instant recordedAt;
}
