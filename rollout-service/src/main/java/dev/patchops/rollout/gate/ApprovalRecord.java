package dev.patchops.rollout.gate;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One approved workload of one revision, as a {@code ticket.patch-approved} event said. */
@Entity
@Table(name = "approval")
public class ApprovalRecord extends PanacheEntityBase {
  @Id public String id;

  @Column(name = "ticket_id")
  public String ticketId;

  public int revision;
  public String image;
  public String namespace;
  public String kind;
  public String name;

  @JdbcTypeCode(SqlTypes.JSON)
  public List<String> containers;

  public String approver;
  public String author;
  public boolean emergency;

  @Column(name = "emergency_reason")
  public String emergencyReason;

  @Column(name = "event_id")
  public String eventId;

  @Column(name = "approved_at")
  public Instant approvedAt;

  @Column(name = "recorded_at")
  public Instant recordedAt;

  public StartGate.ApprovedTarget target() {
    return new StartGate.ApprovedTarget(
        image, namespace, kind, name, List.copyOf(containers), approver, emergency);
  }
}
