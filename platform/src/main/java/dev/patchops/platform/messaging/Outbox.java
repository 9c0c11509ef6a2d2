package dev.patchops.platform.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.TicketScoped;
import dev.patchops.platform.config.PlatformConfig;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;

/**
 * Writes an event in the caller's transaction. The event reaches Kafka if and only if the
 * transaction commits; the {@link OutboxRelay} publishes it.
 */
@ApplicationScoped
public class Outbox {
  private static final String LOCK_KEY =
      "insert into outbox_key_seq (record_key, seq) values (?, 1)"
          + " on conflict (record_key) do update set seq = outbox_key_seq.seq + 1 returning seq";
  private static final String INSERT =
      "insert into outbox_event (event_id, source, type, subject, topic, record_key, key_seq,"
          + " ticket_id, actor, data_schema, payload, occurred_at)"
          + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

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
    EventType type = EventType.forPayload(payload);
    JsonNode json = ContractJson.mapper().valueToTree(payload);
    List<String> violations = schemas.violations(type, json);
    if (!violations.isEmpty()) {
      throw new IllegalArgumentException(
          "refusing to publish " + type.type() + " that violates its schema: " + violations);
    }
    String key = payload.partitionKey();
    UUID eventId = UUID.randomUUID();
    String ticketId = payload instanceof TicketScoped scoped ? scoped.ticketId() : null;
    String body = serialize(json);
    // Plain JDBC: inside a JTA transaction Agroal hands out the transaction's own connection, the
    // one Hibernate uses too, so the event commits or rolls back with the caller's state change.
    try (Connection connection = dataSource.getConnection()) {
      {
        long keySeq;
        try (PreparedStatement lock = connection.prepareStatement(LOCK_KEY)) {
          lock.setString(1, key);
          try (ResultSet rs = lock.executeQuery()) {
            rs.next();
            keySeq = rs.getLong(1);
          }
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
          insert.setObject(1, eventId);
          insert.setString(2, source);
          insert.setString(3, type.type());
          insert.setString(4, subject);
          insert.setString(5, type.topic());
          insert.setString(6, key);
          insert.setLong(7, keySeq);
          insert.setString(8, ticketId);
          insert.setString(9, actor);
          insert.setString(10, type.dataSchema());
          insert.setString(11, body);
          insert.setObject(12, OffsetDateTime.ofInstant(Instant.now(), ZoneOffset.UTC));
          insert.executeUpdate();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write " + type.type() + " to the outbox", e);
    }
    return eventId;
  }

  private static String serialize(JsonNode json) {
    try {
      return ContractJson.mapper().writeValueAsString(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
