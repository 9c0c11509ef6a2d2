package dev.patchops.ticket.hooks;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One occurrence of an alert, however many times its hook delivered it. */
@Entity
@Table(name = "alert_occurrence")
public class AlertOccurrence extends PanacheEntityBase {
  @Id public UUID id;
  public String source;
  public String fingerprint;

  @Column(name = "starts_at")
  public Instant startsAt;

  @Column(name = "alert_name")
  public String alertName;

  public String severity;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, String> labels;

  @JdbcTypeCode(SqlTypes.JSON)
  public Map<String, String> annotations;

  @Column(name = "workload_namespace")
  public String workloadNamespace;

  @Column(name = "workload_name")
  public String workloadName;

  @Column(name = "node_name")
  public String nodeName;

  @Column(name = "ticket_id")
  public String ticketId;

  @Column(name = "first_seen_at")
  public Instant firstSeenAt;

  @Column(name = "last_seen_at")
  public Instant lastSeenAt;

  public int deliveries;

  @Column(name = "acknowledged_at")
  public Instant acknowledgedAt;

  @Column(name = "ended_at")
  public Instant endedAt;
}
