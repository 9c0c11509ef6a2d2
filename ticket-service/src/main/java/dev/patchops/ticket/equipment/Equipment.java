package dev.patchops.ticket.equipment;

import dev.patchops.contract.model.EquipmentType;
import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import java.time.Instant;

/** A piece of hardware PatchOps knows, and the one person who looks after it. */
@Entity
@Table(name = "equipment")
public class Equipment extends PanacheEntityBase {
  @Id public String id;

  @Enumerated(EnumType.STRING)
  public EquipmentType kind;

  public String location;

  /** The Kubernetes node this equipment is, for kind NODE. */
  @Column(name = "node_name")
  public String nodeName;

  public String assignee;

  @Column(name = "created_at")
  public Instant createdAt;

  @Column(name = "updated_at")
  public Instant updatedAt;

  @Version public long version;
}
