package dev.patchops.platform.testapp;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.util.UUID;

/** A state change of the test application, written together with its event. */
@Entity
@Table(name = "widget")
public class Widget extends PanacheEntityBase {
  @Id public UUID id;

  @Column(nullable = false)
  public String name;

  @Column(name = "ticket_id", nullable = false)
  public String ticketId;
}
