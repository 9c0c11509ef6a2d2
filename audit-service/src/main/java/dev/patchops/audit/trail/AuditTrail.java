package dev.patchops.audit.trail;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The only writer of the trail, and it can only append. Appends are serialized by a transaction
 * advisory lock, so any number of instances extend one chain without forks; within a batch the
 * chain is computed in Kafka order and written with one JDBC batch.
 */
@ApplicationScoped
public class AuditTrail {
  /** Arbitrary but fixed: the advisory lock that makes this service the chain's single writer. */
  static final long CHAIN_LOCK = 0x7061_7463_6861_7564L;

  public static final String COLUMNS =
      "seq, stream, source, event_id, type, spec_version, subject, ticket_id, actor, event_time,"
          + " ingested_at, topic, kafka_partition, kafka_offset, headers, payload, raw_payload,"
          + " parse_error, prev_hash, hash";

  private static final String INSERT =
      "insert into audit_record ("
          + COLUMNS
          + ") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String EXISTING =
      "select stream, source, event_id from audit_record r"
          + " join unnest(?::text[], ?::text[], ?::text[]) as k(stream, source, event_id)"
          + " using (stream, source, event_id)";

  private final AgroalDataSource dataSource;

  @Inject
  public AuditTrail(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The chain's head: the last record's sequence number and hash. */
  public record Head(long seq, String hash) {
    static final Head EMPTY = new Head(0, ChainHash.GENESIS);
  }

  /**
   * Chains and stores the records that are not stored yet, in the given order.
   *
   * <p>Redeliveries are rare (a crash or a rebalance between commit and offset commit), so a batch
   * is first written optimistically and the unique identity constraint catches a record already
   * stored. Only then is the batch filtered against the trail, in a second transaction. The common
   * path costs no lookup.
   *
   * @return the records appended, with their sequence numbers and hashes
   */
  public List<TrailRecord> append(List<TrailRecord> parsed) {
    if (parsed.isEmpty()) {
      return List.of();
    }
    List<TrailRecord> batch = withoutRepeats(parsed);
    try {
      return QuarkusTransaction.requiringNew().call(() -> write(batch, false));
    } catch (AuditStoreException e) {
      if (!(e.getCause() instanceof SQLException sql) || !isUniqueViolation(sql)) {
        throw e;
      }
    }
    return QuarkusTransaction.requiringNew().call(() -> write(batch, true));
  }

  private List<TrailRecord> write(List<TrailRecord> batch, boolean filterStored) {
    try (Connection connection = dataSource.getConnection()) {
      lockChain(connection);
      Head head = head(connection);
      List<TrailRecord> fresh = filterStored ? withoutStored(connection, batch) : batch;
      return insert(connection, chain(fresh, head, Instant.now().truncatedTo(ChronoUnit.MICROS)));
    } catch (SQLException e) {
      throw new AuditStoreException("cannot append to the audit trail", e);
    }
  }

  private static List<TrailRecord> chain(List<TrailRecord> records, Head head, Instant now) {
    List<TrailRecord> chained = new ArrayList<>(records.size());
    long seq = head.seq();
    String prev = head.hash();
    for (TrailRecord record : records) {
      TrailRecord next = record.chained(++seq, now, prev);
      chained.add(next);
      prev = next.hash();
    }
    return chained;
  }

  private static boolean isUniqueViolation(SQLException e) {
    for (SQLException next = e; next != null; next = next.getNextException()) {
      if ("23505".equals(next.getSQLState())) {
        return true;
      }
      if (next.getCause() instanceof SQLException cause && "23505".equals(cause.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /** The head as committed now. */
  @Transactional
  public Head head() {
    try (Connection connection = dataSource.getConnection()) {
      return head(connection);
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read the audit head", e);
    }
  }

  /** Takes the chain lock for the caller's transaction, so the head cannot move under it. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Head lockedHead() {
    try (Connection connection = dataSource.getConnection()) {
      lockChain(connection);
      return head(connection);
    } catch (SQLException e) {
      throw new AuditStoreException("cannot lock the audit head", e);
    }
  }

  @Transactional
  public Optional<TrailRecord> find(long seq) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement("select " + COLUMNS + " from audit_record where seq = ?")) {
      select.setLong(1, seq);
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? Optional.of(read(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read audit record " + seq, e);
    }
  }

  static Head head(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select seq, hash from audit_record order by seq desc limit 1")) {
      return rs.next() ? new Head(rs.getLong(1), rs.getString(2)) : Head.EMPTY;
    }
  }

  private static void lockChain(Connection connection) throws SQLException {
    try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_xact_lock(?)")) {
      lock.setLong(1, CHAIN_LOCK);
      lock.execute();
    }
  }

  /** Keeps the first of records repeated inside one batch. */
  private static List<TrailRecord> withoutRepeats(List<TrailRecord> parsed) {
    Map<RecordParser.Identity, TrailRecord> unique = new LinkedHashMap<>();
    for (TrailRecord record : parsed) {
      unique.putIfAbsent(RecordParser.Identity.of(record), record);
    }
    return unique.size() == parsed.size() ? parsed : new ArrayList<>(unique.values());
  }

  /** Drops the records the trail already holds. */
  private static List<TrailRecord> withoutStored(Connection connection, List<TrailRecord> batch)
      throws SQLException {
    Map<RecordParser.Identity, TrailRecord> unique = new LinkedHashMap<>();
    for (TrailRecord record : batch) {
      unique.put(RecordParser.Identity.of(record), record);
    }
    int n = unique.size();
    String[] streams = new String[n];
    String[] sources = new String[n];
    String[] ids = new String[n];
    int i = 0;
    for (TrailRecord record : unique.values()) {
      streams[i] = record.stream();
      sources[i] = record.source();
      ids[i++] = record.eventId();
    }
    Set<RecordParser.Identity> stored = new HashSet<>();
    try (PreparedStatement select = connection.prepareStatement(EXISTING)) {
      Array a = connection.createArrayOf("text", streams);
      Array b = connection.createArrayOf("text", sources);
      Array c = connection.createArrayOf("text", ids);
      select.setArray(1, a);
      select.setArray(2, b);
      select.setArray(3, c);
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          stored.add(new RecordParser.Identity(rs.getString(1), rs.getString(2), rs.getString(3)));
        }
      }
    }
    if (stored.isEmpty()) {
      return new ArrayList<>(unique.values());
    }
    List<TrailRecord> fresh = new ArrayList<>(n - stored.size());
    unique.forEach(
        (identity, record) -> {
          if (!stored.contains(identity)) {
            fresh.add(record);
          }
        });
    return fresh;
  }

  private static List<TrailRecord> insert(Connection connection, List<TrailRecord> records)
      throws SQLException {
    if (records.isEmpty()) {
      return records;
    }
    try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
      for (TrailRecord r : records) {
        bind(insert, r);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return records;
  }

  /** Binds every column in {@link #COLUMNS} order; shared with the benchmark's raw baseline. */
  public static void bind(PreparedStatement s, TrailRecord r) throws SQLException {
    s.setLong(1, r.seq());
    s.setString(2, r.stream());
    s.setString(3, r.source());
    s.setString(4, r.eventId());
    s.setString(5, r.type());
    s.setString(6, r.specVersion());
    s.setString(7, r.subject());
    s.setString(8, r.ticketId());
    s.setString(9, r.actor());
    setInstant(s, 10, r.eventTime());
    setInstant(s, 11, r.ingestedAt());
    s.setString(12, r.topic());
    s.setInt(13, r.partition());
    s.setLong(14, r.offset());
    s.setString(15, r.headers());
    s.setString(16, r.payload());
    s.setBytes(17, r.rawPayload());
    s.setString(18, r.parseError());
    s.setString(19, r.prevHash());
    s.setString(20, r.hash());
  }

  /** Reads a row selected with {@link #COLUMNS}. */
  public static TrailRecord read(ResultSet rs) throws SQLException {
    return new TrailRecord(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6),
        rs.getString(7),
        rs.getString(8),
        rs.getString(9),
        instant(rs.getObject(10, java.time.OffsetDateTime.class)),
        instant(rs.getObject(11, java.time.OffsetDateTime.class)),
        rs.getString(12),
        rs.getInt(13),
        rs.getLong(14),
        rs.getString(15),
        rs.getString(16),
        rs.getBytes(17),
        rs.getString(18),
        rs.getString(19),
        rs.getString(20));
  }

  private static void setInstant(PreparedStatement s, int index, Instant instant)
      throws SQLException {
    if (instant == null) {
      s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      s.setObject(index, java.time.OffsetDateTime.ofInstant(instant, java.time.ZoneOffset.UTC));
    }
  }

  /** Read as OffsetDateTime: java.sql.Timestamp would move dates before 1582 by its calendar. */
  private static Instant instant(java.time.OffsetDateTime time) {
    return time == null ? null : time.toInstant();
  }
}
