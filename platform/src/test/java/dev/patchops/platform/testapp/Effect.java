package dev.patchops.platform.testapp;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** What the test consumer did with an event; its count is what idempotency is judged by. */
@Entity
@Table(name = "effect")
public class Effect extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  @Column(name = "event_id")
  public String eventId;

  @Column(name = "event_type")
  public String eventType;

  @Column(name = "ticket_id")
  public String ticketId;

  public String title;
}
