package dev.patchops.audit.witness;

import dev.patchops.audit.trail.AuditStoreException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import io.quarkus.arc.InjectableInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The witness's own record, in the {@code witness} datasource: another database, another role. The
 * audit-service's credentials reach none of it.
 */
@ApplicationScoped
public class WitnessStore {
  private static final String COLUMNS =
      "seq, head_hash, signed_at, key_id, signature, prev_checkpoint_hash";

  private final InjectableInstance<AgroalDataSource> dataSource;

  @Inject
  public WitnessStore(@DataSource("witness") InjectableInstance<AgroalDataSource> dataSource) {
    this.dataSource = dataSource;
  }

  private Connection connect() throws SQLException {
    return dataSource.get().getConnection();
  }

  /** The newest accepted checkpoint: what the next one must link to. */
  public Optional<Witnessed> head() {
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "select "
                    + COLUMNS
                    + " from witnessed_checkpoint where accepted"
                    + " order by seq desc, received_at desc limit 1");
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? Optional.of(read(rs)) : Optional.empty();
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read the witness's head", e);
    }
  }

  /** The newest accepted checkpoints, by seq, at most {@code limit}. */
  public Map<Long, Witnessed> accepted(int limit) {
    Map<Long, Witnessed> bySeq = new LinkedHashMap<>();
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "select "
                    + COLUMNS
                    + " from witnessed_checkpoint where accepted"
                    + " order by seq desc, received_at desc limit ?")) {
      s.setInt(1, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          Witnessed w = read(rs);
          bySeq.putIfAbsent(w.seq(), w);
        }
      }
      return bySeq;
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read witnessed checkpoints", e);
    }
  }

  /** Stores a checkpoint once (a redelivery is a no-op); returns false when already known. */
  public boolean record(Witnessed w, int partition, long offset, boolean accepted, String finding) {
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "insert into witnessed_checkpoint (checkpoint_hash, "
                    + COLUMNS
                    + ", received_at, kafka_partition, kafka_offset, accepted, finding)"
                    + " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " on conflict (checkpoint_hash) do nothing")) {
      s.setString(1, w.checkpointHash());
      s.setLong(2, w.seq());
      s.setString(3, w.headHash());
      s.setTimestamp(4, Timestamp.from(w.signedAt()));
      s.setString(5, w.keyId());
      s.setString(6, w.signature());
      s.setString(7, w.prevCheckpointHash());
      s.setTimestamp(8, Timestamp.from(Instant.now()));
      s.setInt(9, partition);
      s.setLong(10, offset);
      s.setBoolean(11, accepted);
      s.setString(12, finding);
      return s.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new AuditStoreException("cannot record a witnessed checkpoint", e);
    }
  }

  public boolean known(Witnessed w) {
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement("select 1 from witnessed_checkpoint where checkpoint_hash = ?")) {
      s.setString(1, w.checkpointHash());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw new AuditStoreException("cannot read witnessed checkpoints", e);
    }
  }

  public void alert(WitnessJudge.Mismatch mismatch) {
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement(
                "insert into witness_alert (raised_at, kind, seq, detail) values (?, ?, ?, ?)")) {
      s.setTimestamp(1, Timestamp.from(Instant.now()));
      s.setString(2, mismatch.kind().name());
      s.setLong(3, mismatch.seq());
      s.setString(4, mismatch.detail());
      s.executeUpdate();
    } catch (SQLException e) {
      throw new AuditStoreException("cannot record a witness alert", e);
    }
  }

  public long alerts(WitnessJudge.Kind kind) {
    try (Connection c = connect();
        PreparedStatement s =
            c.prepareStatement("select count(*) from witness_alert where kind = ?")) {
      s.setString(1, kind.name());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (SQLException e) {
      throw new AuditStoreException("cannot count witness alerts", e);
    }
  }

  private static Witnessed read(ResultSet rs) throws SQLException {
    return new Witnessed(
        rs.getLong(1),
        rs.getString(2),
        rs.getTimestamp(3).toInstant(),
        rs.getString(4),
        rs.getString(5),
        rs.getString(6));
  }
}
