package dev.patchops.audit.query;

import dev.patchops.audit.trail.AuditStoreException;
import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.audit.trail.TrailRecord;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the trail by ticket, type, actor and event time. Pages are keyed by sequence number, so a
 * page stays stable while the trail grows underneath it.
 */
@ApplicationScoped
public class AuditQuery {
  public record Filter(
      String ticketId, String type, String actor, Instant from, Instant to, long afterSeq) {}

  private final AgroalDataSource dataSource;

  @Inject
  public AuditQuery(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Transactional
  public List<TrailRecord> search(Filter filter, int limit) {
    StringBuilder sql =
        new StringBuilder("select ")
            .append(AuditTrail.COLUMNS)
            .append(" from audit_record where seq > ?");
    List<Object> args = new ArrayList<>();
    args.add(filter.afterSeq());
    condition(sql, args, "ticket_id = ?", filter.ticketId());
    condition(sql, args, "type = ?", filter.type());
    condition(sql, args, "actor = ?", filter.actor());
    condition(
        sql,
        args,
        "event_time >= ?",
        filter.from() == null ? null : filter.from().atOffset(ZoneOffset.UTC));
    condition(
        sql,
        args,
        "event_time < ?",
        filter.to() == null ? null : filter.to().atOffset(ZoneOffset.UTC));
    sql.append(" order by seq limit ?");
    args.add(limit);
    return select(sql.toString(), args);
  }

  /** Every record of one ticket, in chain order. */
  @Transactional
  public List<TrailRecord> ticket(String ticketId) {
    return select(
        "select " + AuditTrail.COLUMNS + " from audit_record where ticket_id = ? order by seq",
        List.of(ticketId));
  }

  /**
   * At most {@code limit} records of a ticket with a sequence number after {@code after}, in
   * sequence order: one page of its change record, read through the (ticket_id, seq) index.
   */
  public List<TrailRecord> ticketPage(String ticketId, long after, int limit) {
    return select(
        "select "
            + AuditTrail.COLUMNS
            + " from audit_record where ticket_id = ? and seq > ? order by seq limit ?",
        List.of(ticketId, after, limit));
  }

  private List<TrailRecord> select(String sql, List<Object> args) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement s = connection.prepareStatement(sql)) {
      for (int i = 0; i < args.size(); i++) {
        s.setObject(i + 1, args.get(i));
      }
      List<TrailRecord> records = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          records.add(AuditTrail.read(rs));
        }
      }
      return records;
    } catch (SQLException e) {
      throw new AuditStoreException("cannot query the audit trail", e);
    }
  }

  private static void condition(StringBuilder sql, List<Object> args, String clause, Object value) {
    if (value != null) {
      sql.append(" and ").append(clause);
      args.add(value);
    }
  }
}
