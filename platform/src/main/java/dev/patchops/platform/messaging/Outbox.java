package dev.patchops.platform.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Limits;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.TicketScoped;
import dev.patchops.platform.config.PlatformConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Writes an event in the caller's transaction. The event reaches Kafka if and only if the
 * transaction commits; the {@link OutboxRelay} publishes it.
 */
@ApplicationScoped
public class Outbox {
  private static final Logger LOG = Logger.getLogger(Outbox.class);
  // One statement: the key's sequence row is taken (and its row lock held to the end of the
  // transaction) and the event inserted with the number it got, in one round trip instead of two.
  // A data-modifying CTE runs exactly once, so the upsert happens whether or not the insert reads
  // it.
  private static final String INSERT =
      "with seq as (insert into outbox_key_seq (record_key, seq) values (?, 1)"
          + " on conflict (record_key) do update set seq = outbox_key_seq.seq + 1 returning seq)"
          + " insert into outbox_event (event_id, source, type, subject, topic, record_key, key_seq,"
          + " ticket_id, actor, data_schema, payload, occurred_at)"
          + " select ?, ?, ?, ?, ?, ?, seq.seq, ?, ?, ?, ?, ? from seq";

  private final AgroalDataSource dataSource;
  private final EventSchemas schemas;
  private final String source;

  @Inject
  public Outbox(AgroalDataSource dataSource, EventSchemas schemas, PlatformConfig config) {
    this.dataSource = dataSource;
    this.schemas = schemas;
    this.source = EventType.source(config.serviceName());
  }

  /**
   * @param subject the CloudEvents subject, e.g. {@code revisions/3}; may be null
   * @param actor who caused the event (a user, or a service for automatic steps)
   * @return the CloudEvents id, fixed now so that every retry of the publish carries the same id
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public UUID publish(PatchOpsEvent payload, String subject, String actor) {
    Event event = event(payload, subject, actor);
    write(List.of(event));
    return event.eventId();
  }

  /**
   * Fits, validates and serialises an event without writing it, so that a caller that writes many
   * events in one transaction can {@link #write} them in one round trip. Strings, lists and maps
   * over their {@link dev.patchops.contract.Limit} are cut with a marker ({@link Limits#fit});
   * throws when the payload still violates its schema (a missing field, a malformed reference).
   */
  public Event event(PatchOpsEvent given, String subject, String actor) {
    EventType type = EventType.forPayload(given);
    // A transition the service already made (a revert restored, pods evicted) must be recordable
    // however long a text it produced: fitted into the schema's bounds here, marked where cut.
    Limits.Fitted<PatchOpsEvent> fitted = Limits.fit(given);
    PatchOpsEvent payload = fitted.payload();
    if (fitted.changed()) {
      LOG.warnf("fitted %s into its size limits: %s", type.type(), fitted.cuts());
    }
    JsonNode json = ContractJson.mapper().valueToTree(payload);
    List<String> violations = schemas.violations(type, json);
    if (!violations.isEmpty()) {
      // the first few say what is wrong; ten thousand would make a message of megabytes
      String shown =
          violations.size() <= 20
              ? violations.toString()
              : violations.subList(0, 20) + " and " + (violations.size() - 20) + " more";
      throw new IllegalArgumentException(
          "refusing to publish " + type.type() + " that violates its schema: " + shown);
    }
    String ticketId = payload instanceof TicketScoped scoped ? scoped.ticketId() : null;
    return new Event(
        UUID.randomUUID(),
        type,
        subject,
        payload.partitionKey(),
        ticketId,
        actor,
        serialize(json),
        Instant.now());
  }

  /**
   * Writes events in the caller's transaction, in list order (so a key's events get increasing
   * sequence numbers in that order), as one JDBC batch.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void write(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    // Plain JDBC: inside a JTA transaction Agroal hands out the transaction's own connection, the
    // one Hibernate uses too, so the event commits or rolls back with the caller's state change.
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (Event event : events) {
        insert.setString(1, event.key());
        insert.setObject(2, event.eventId());
        insert.setString(3, source);
        insert.setString(4, event.type().type());
        insert.setString(5, event.subject());
        insert.setString(6, event.type().topic());
        insert.setString(7, event.key());
        insert.setString(8, event.ticketId());
        insert.setString(9, event.actor());
        insert.setString(10, event.type().dataSchema());
        insert.setString(11, event.body());
        insert.setObject(12, OffsetDateTime.ofInstant(event.occurredAt(), ZoneOffset.UTC));
        if (events.size() == 1) {
          insert.executeUpdate();
        } else {
          insert.addBatch();
        }
      }
      if (events.size() > 1) {
        insert.executeBatch();
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot write " + events.get(0).type().type() + " to the outbox", e);
    }
  }

  /** A validated, serialised event, not yet written; {@link #eventId} is its CloudEvents id. */
  public record Event(
      UUID eventId,
      EventType type,
      String subject,
      String key,
      String ticketId,
      String actor,
      String body,
      Instant occurredAt) {}

  private static String serialize(JsonNode json) {
    try {
      return ContractJson.mapper().writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
