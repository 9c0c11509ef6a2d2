package dev.patchops.ticket.rootcause;

import dev.patchops.contract.model.DiagnosticKind;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A piece of evidence attached to a ticket. */
@Entity
@Table(name = "diagnostic")
public class Diagnostic extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "ticket_id")
  public String ticketId;

  @Enumerated(EnumType.STRING)
  public DiagnosticKind kind;

  public String uri;

  @Column(name = "captured_at")
  public Instant capturedAt;

  public String sha256;
  public String note;

  @Column(name = "added_by")
  public String addedBy;

  @Column(name = "added_at")
  public Instant addedAt;
}
