package dev.patchops.ticket.freeze;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A change freeze: normal approvals wait until it ends; emergencies do not. */
@Entity
@Table(name = "freeze_window")
public class FreezeWindow extends PanacheEntityBase {
  @Id public UUID id;

  @Column(name = "starts_at")
  public Instant startsAt;

  @Column(name = "ends_at")
  public Instant endsAt;

  public String reason;

  @Column(name = "created_by")
  public String createdBy;

  @Column(name = "created_at")
  public Instant createdAt;

  public static java.util.Optional<FreezeWindow> activeAt(Instant instant) {
    return find("startsAt <= ?1 and endsAt > ?1 order by endsAt desc", instant)
        .firstResultOptional();
  }
}
