package dev.patchops.audit.verify;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plays the attacker with a superuser connection that bypasses the append-only trigger, and checks
 * that verification names the exact record. Each test holds the chain lock while the trail is
 * tampered with, so ingestion cannot extend a damaged chain, and puts the rows back afterwards.
 */
@QuarkusTest
@WithAuditInfra
class TamperEvidenceTest {
  private static final long CHAIN_LOCK = 0x7061_7463_6861_7564L;

  @Inject AuditQuery query;
  @Inject dev.patchops.audit.trail.AuditTrail trail;
  @Inject AgroalDataSource serviceDataSource;

  private List<TrailRecord> fiveRecords() {
    String ticketId = newTicketId();
    for (int i = 0; i < 5; i++) {
      AuditFixtures.send(opened(ticketId, "record " + i));
    }
    return awaitTicket(query, ticketId, 5);
  }

  private static ValidatableResponse verify(String query) {
    return given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .get("/api/v1/audit/verify" + query)
        .then()
        .statusCode(200);
  }

  /**
   * The chain is one for the whole module: whatever a test did to it, and however it failed, the
   * next test (of this class or another) must find it whole. A restore that missed a row fails
   * here, in the test that tampered, not later in one that did not.
   */
  @AfterEach
  void theChainIsWholeAgain() {
    verify("").body("valid", equalTo(true)).body("firstBroken", equalTo(null));
  }

  @Test
  void anIntactChainVerifiesAsAWholeAndInRanges() {
    List<TrailRecord> records = fiveRecords();
    verify("").body("valid", equalTo(true)).body("firstBroken", equalTo(null));
    verify("?from=" + records.get(1).seq() + "&to=" + records.get(3).seq())
        .body("valid", equalTo(true))
        .body("recordsChecked", equalTo(3));
  }

  @Test
  void aRecordEditedInTheDatabaseIsFoundAtItsSequenceNumber() throws Exception {
    TrailRecord target = fiveRecords().get(2);
    try (Connection attacker = attacker()) {
      String original = target.payload();
      bypassTriggers(attacker);
      update(attacker, target.seq(), original.replace("record 2", "record 2 (edited)"));
      try {
        verify("")
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) target.seq()))
            .body("firstBroken.kind", equalTo("HASH_MISMATCH"));
      } finally {
        update(attacker, target.seq(), original);
      }
      verify("").body("valid", equalTo(true));
    }
  }

  /**
   * The attacker edits a record and stores a hash that matches the edit: only its successor's link
   * can tell, so the verifier must name the successor with PREV_HASH_MISMATCH.
   */
  @Test
  void aRecordRehashedAfterAnEditBreaksItsSuccessorsLink() throws Exception {
    List<TrailRecord> records = fiveRecords();
    TrailRecord target = records.get(2);
    TrailRecord successor = records.get(3);
    String edited = target.payload().replace("record 2", "record 2 (rechained)");
    TrailRecord rewritten =
        new TrailRecord(
                target.seq(),
                target.stream(),
                target.source(),
                target.eventId(),
                target.type(),
                target.specVersion(),
                target.subject(),
                target.ticketId(),
                target.actor(),
                target.eventTime(),
                target.ingestedAt(),
                target.topic(),
                target.partition(),
                target.offset(),
                target.headers(),
                edited,
                target.rawPayload(),
                target.parseError(),
                target.prevHash(),
                null)
            .chained(target.seq(), target.ingestedAt(), target.prevHash());
    assertThat(rewritten.hash()).isNotEqualTo(target.hash());
    try (Connection attacker = attacker()) {
      bypassTriggers(attacker);
      rewrite(attacker, target.seq(), edited, rewritten.hash());
      try {
        verify("")
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) successor.seq()))
            .body("firstBroken.kind", equalTo("PREV_HASH_MISMATCH"));
      } finally {
        rewrite(attacker, target.seq(), target.payload(), target.hash());
      }
      verify("").body("valid", equalTo(true));
    }
  }

  private static void rewrite(Connection connection, long seq, String payload, String hash)
      throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement(
            "update audit_record set payload = ?, hash = ? where seq = ?")) {
      s.setString(1, payload);
      s.setString(2, hash);
      s.setLong(3, seq);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }

  @Test
  void aRecordDeletedInTheMiddleIsFoundAsAGapAtItsSequenceNumber() throws Exception {
    TrailRecord target = fiveRecords().get(2);
    try (Connection attacker = attacker()) {
      bypassTriggers(attacker);
      List<Object[]> saved = delete(attacker, "seq = " + target.seq());
      try {
        verify("")
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) target.seq()))
            .body("firstBroken.kind", equalTo("GAP"));
      } finally {
        restore(attacker, saved);
      }
      verify("").body("valid", equalTo(true));
    }
  }

  @Test
  void aTruncatedTailIsFoundAgainstTheSignedCheckpoint() throws Exception {
    List<TrailRecord> records = fiveRecords();
    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .post("/api/v1/audit/checkpoints")
        .then()
        .statusCode(201);
    long firstRemoved = records.get(3).seq();
    try (Connection attacker = attacker()) {
      bypassTriggers(attacker);
      List<Object[]> saved = delete(attacker, "seq >= " + firstRemoved);
      try {
        // Without a checkpoint this would look like a valid, shorter chain.
        verify("")
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) firstRemoved))
            .body("firstBroken.kind", equalTo("TRUNCATED"))
            .body("checkpoint.holds", equalTo(false));
      } finally {
        restore(attacker, saved);
      }
      verify("").body("valid", equalTo(true)).body("checkpoint.holds", equalTo(true));
    }
  }

  @Test
  void aRewrittenAndRehashedHeadIsCaughtByTheCheckpointAndAForgedCheckpointByItsSignature()
      throws Exception {
    fiveRecords();
    long signedSeq =
        ((Number)
                given()
                    .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
                    .post("/api/v1/audit/checkpoints")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("seq"))
            .longValue();
    TrailRecord head = trail.find(signedSeq).orElseThrow();
    // The attacker knows the public chain rule and recomputes the hash of the edited record.
    TrailRecord forged =
        new TrailRecord(
                0,
                head.stream(),
                head.source(),
                head.eventId(),
                head.type(),
                head.specVersion(),
                head.subject(),
                head.ticketId(),
                "mallory",
                head.eventTime(),
                null,
                head.topic(),
                head.partition(),
                head.offset(),
                head.headers(),
                head.payload(),
                head.rawPayload(),
                head.parseError(),
                null,
                null)
            .chained(head.seq(), head.ingestedAt(), head.prevHash());
    try (Connection attacker = attacker();
        Statement statement = attacker.createStatement()) {
      bypassTriggers(attacker);
      statement.execute(
          "update audit_record set actor = 'mallory', hash = '"
              + forged.hash()
              + "' where seq = "
              + signedSeq);
      try {
        verify("")
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) signedSeq))
            .body("firstBroken.kind", equalTo("CHECKPOINT_MISMATCH"));
      } finally {
        statement.execute(
            "update audit_record set actor = '"
                + head.actor()
                + "', hash = '"
                + head.hash()
                + "' where seq = "
                + signedSeq);
      }
      statement.execute(
          "update audit_checkpoint set head_hash = '"
              + forged.hash()
              + "' where seq = "
              + signedSeq);
      try {
        verify("")
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) signedSeq))
            .body("firstBroken.kind", equalTo("CHECKPOINT_SIGNATURE_INVALID"));
      } finally {
        statement.execute(
            "update audit_checkpoint set head_hash = '"
                + head.hash()
                + "' where seq = "
                + signedSeq);
      }
    }
    verify("").body("valid", equalTo(true));
  }

  @Test
  void aTailTruncatedWithItsCheckpointsIsFoundAgainstACheckpointKeptElsewhere() throws Exception {
    List<TrailRecord> records = fiveRecords();
    Map<String, Object> kept =
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .post("/api/v1/audit/checkpoints")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getMap("");
    long firstRemoved = records.get(2).seq();
    try (Connection attacker = attacker()) {
      bypassTriggers(attacker);
      List<Object[]> tail = delete(attacker, "seq >= " + firstRemoved);
      List<Object[]> checkpoints = delete(attacker, "audit_checkpoint", "seq >= " + firstRemoved);
      try {
        // With the stored checkpoints gone too, the shorter chain looks whole from inside.
        verify("").body("valid", equalTo(true));
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .contentType("application/json")
            .body(Map.of("checkpoints", List.of(kept)))
            .post("/api/v1/audit/verify")
            .then()
            .statusCode(200)
            .body("valid", equalTo(false))
            .body("firstBroken.seq", equalTo((int) firstRemoved))
            .body("firstBroken.kind", equalTo("TRUNCATED"));
      } finally {
        restore(attacker, tail);
        restore(attacker, "audit_checkpoint", checkpoints);
      }
    }
    Map<String, Object> forged = new java.util.HashMap<>(kept);
    forged.put("seq", ((Number) kept.get("seq")).longValue() + 1000);
    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .contentType("application/json")
        .body(Map.of("checkpoints", List.of(forged)))
        .post("/api/v1/audit/verify")
        .then()
        .statusCode(200)
        .body("firstBroken.kind", equalTo("CHECKPOINT_SIGNATURE_INVALID"));
    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .contentType("application/json")
        .body(Map.of("checkpoints", List.of(Map.of("seq", 1))))
        .post("/api/v1/audit/verify")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  void theServicesRoleCanNeitherUpdateNorDeleteAndTheTriggerStopsEveryoneElse() throws Exception {
    TrailRecord target = fiveRecords().get(0);
    try (Connection service = serviceDataSource.getConnection();
        Statement statement = service.createStatement()) {
      for (String sql :
          List.of(
              "update audit_record set actor = 'mallory' where seq = " + target.seq(),
              "delete from audit_record where seq = " + target.seq(),
              "truncate audit_record",
              "update audit_checkpoint set seq = 0",
              "delete from audit_checkpoint")) {
        assertThatThrownBy(() -> statement.execute(sql))
            .as(sql)
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("permission denied")
            .extracting(e -> ((SQLException) e).getSQLState())
            .isEqualTo("42501");
      }
    }
    try (Connection owner = TestInfra.superuserConnection();
        Statement statement = owner.createStatement()) {
      for (String sql :
          List.of(
              "update audit_record set actor = 'mallory' where seq = " + target.seq(),
              "delete from audit_record where seq = " + target.seq(),
              "truncate audit_record")) {
        assertThatThrownBy(() -> statement.execute(sql))
            .as(sql)
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("audit trail is append-only");
      }
    }
    assertThat(query.ticket(target.ticketId()).get(0).actor()).isEqualTo(target.actor());
  }

  /** A superuser session holding the chain lock, so nothing is appended while the tail is gone. */
  private static Connection attacker() throws SQLException {
    Connection connection = TestInfra.superuserConnection();
    try (PreparedStatement lock = connection.prepareStatement("select pg_advisory_lock(?)")) {
      lock.setLong(1, CHAIN_LOCK);
      lock.execute();
    }
    return connection;
  }

  private static void bypassTriggers(Connection connection) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute("set session_replication_role = replica");
    }
  }

  private static void update(Connection connection, long seq, String payload) throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement("update audit_record set payload = ? where seq = ?")) {
      s.setString(1, payload);
      s.setLong(2, seq);
      assertThat(s.executeUpdate()).isEqualTo(1);
    }
  }

  private static List<Object[]> delete(Connection connection, String where) throws SQLException {
    return delete(connection, "audit_record", where);
  }

  private static List<Object[]> delete(Connection connection, String table, String where)
      throws SQLException {
    List<Object[]> rows = new java.util.ArrayList<>();
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("select * from " + table + " where " + where)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        Object[] row = new Object[columns];
        for (int i = 0; i < columns; i++) {
          row[i] = rs.getObject(i + 1);
        }
        rows.add(row);
      }
    }
    try (Statement s = connection.createStatement()) {
      assertThat(s.executeUpdate("delete from " + table + " where " + where))
          .isEqualTo(rows.size());
    }
    assertThat(rows).isNotEmpty();
    return rows;
  }

  private static void restore(Connection connection, List<Object[]> rows) throws SQLException {
    restore(connection, "audit_record", rows);
  }

  private static void restore(Connection connection, String table, List<Object[]> rows)
      throws SQLException {
    for (Object[] row : rows) {
      String marks = String.join(", ", java.util.Collections.nCopies(row.length, "?"));
      try (PreparedStatement s =
          connection.prepareStatement("insert into " + table + " values (" + marks + ")")) {
        for (int i = 0; i < row.length; i++) {
          s.setObject(i + 1, row[i]);
        }
        s.executeUpdate();
      }
    }
  }
}
