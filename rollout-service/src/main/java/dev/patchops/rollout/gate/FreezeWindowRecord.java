package dev.patchops.rollout.gate;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A change freeze as the ticket-service announced it; {@code deletedAt} once it was lifted. */
@Entity
@Table(name = "freeze_window")
public class FreezeWindowRecord extends PanacheEntityBase {
  @Id public String id;

  @Column(name = "starts_at")
  public Instant startsAt;

  @Column(name = "ends_at")
  public Instant endsAt;

  public String reason;

  @Column(name = "created_by")
  public String createdBy;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "deleted_by")
  public String deletedBy;

  @Column(name = "deleted_at")
  public Instant deletedAt;
}
