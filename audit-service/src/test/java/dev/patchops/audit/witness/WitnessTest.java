package dev.patchops.audit.witness;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.checkpoint.CheckpointMessage;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The witness against an insider who holds the audit-service's database owner role (the one Flyway
 * migrates as) and its signing key: the insider rewrites a record, re-hashes it and re-signs the
 * checkpoint over it, so the service's own verification passes; the witness, which kept what was
 * published, raises the alarm.
 */
@QuarkusTest
@WithAuditInfra
class WitnessTest {
  private static final long CHAIN_LOCK = 0x7061_7463_6861_7564L;

  @Inject AuditWitness witness;
  @Inject AuditQuery query;
  @Inject AuditTrail trail;
  @Inject MeterRegistry registry;

  @ConfigProperty(name = "audit.signing.private-key")
  String servicePrivateKey;

  private Map<String, Object> checkpointWitnessed() {
    String ticketId = newTicketId();
    for (int i = 0; i < 3; i++) {
      AuditFixtures.send(opened(ticketId, "witnessed " + i));
    }
    awaitTicket(query, ticketId, 3);
    Map<String, Object> signed =
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .post("/api/v1/audit/checkpoints")
            .then()
            .statusCode(201)
            .extract()
            .jsonPath()
            .getMap("");
    long seq = ((Number) signed.get("seq")).longValue();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> witness.head().map(h -> h.seq() == seq).orElse(false));
    assertThat(witness.head().orElseThrow().headHash()).isEqualTo(signed.get("headHash"));
    return signed;
  }

  @Test
  void theWitnessKeepsEveryPublishedCheckpointAndTheServicesAnswersAgreeWithIt() {
    checkpointWitnessed();
    assertThat(witness.audit()).isEmpty();
    assertThat(witness.mismatch()).isZero();
  }

  @Test
  void anOwnersRewriteReSignedWithTheServicesKeyFoolsTheServiceButNotTheWitness() throws Exception {
    Map<String, Object> signed = checkpointWitnessed();
    long seq = ((Number) signed.get("seq")).longValue();
    String signature = (String) signed.get("signature");
    TrailRecord original = trail.find(seq).orElseThrow();
    TrailRecord forged = rewritten(original, "mallory");
    String forgedSignature =
        sign(
            CheckpointMessage.bytes(
                seq,
                forged.hash(),
                Instant.parse((String) signed.get("signedAt")),
                (String) signed.get("keyId"),
                (String) signed.get("prevCheckpointHash")));
    double disagreedBefore = alerts(WitnessJudge.Kind.SERVICE_DISAGREES);
    double verifyFailedBefore = alerts(WitnessJudge.Kind.SERVICE_VERIFY_FAILED);
    List<String> errors = new ArrayList<>();
    Handler capture = errorCapture(errors);
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(AuditWitness.class.getName());
    log.addHandler(capture);

    try (Connection lock = TestInfra.superuserConnection();
        Statement locking = lock.createStatement();
        Connection owner = TestInfra.ownerConnection()) {
      // Nothing is appended meanwhile, so the rewritten record stays the head.
      locking.execute("select pg_advisory_lock(" + CHAIN_LOCK + ")");
      try (ResultSet rs = locking.executeQuery("select max(seq) from audit_record")) {
        rs.next();
        assertThat(rs.getLong(1)).as("the signed record is the head").isEqualTo(seq);
      }
      rewrite(owner, seq, forged.actor(), forged.hash(), forgedSignature, signature);
      try {
        // From inside, nothing is wrong: the chain re-hashes and the checkpoint verifies.
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .get("/api/v1/audit/verify")
            .then()
            .statusCode(200)
            .body("valid", equalTo(true));

        List<WitnessJudge.Mismatch> found = witness.audit();
        assertThat(found)
            .extracting(WitnessJudge.Mismatch::kind)
            .contains(WitnessJudge.Kind.SERVICE_DISAGREES, WitnessJudge.Kind.SERVICE_VERIFY_FAILED);
        assertThat(found)
            .filteredOn(m -> m.kind() == WitnessJudge.Kind.SERVICE_DISAGREES)
            .first()
            .satisfies(
                m -> {
                  assertThat(m.seq()).isEqualTo(seq);
                  assertThat(m.detail()).contains(forged.hash()).contains(original.hash());
                });
        assertThat(witness.mismatch()).isEqualTo(1);
        assertThat(alerts(WitnessJudge.Kind.SERVICE_DISAGREES)).isEqualTo(disagreedBefore + 1);
        assertThat(alerts(WitnessJudge.Kind.SERVICE_VERIFY_FAILED))
            .isEqualTo(verifyFailedBefore + 1);
        assertThat(errors)
            .anySatisfy(
                line ->
                    assertThat(line)
                        .contains("AUDIT WITNESS ALERT SERVICE_DISAGREES")
                        .contains("at seq " + seq));
        assertThat(witnessAlerts(WitnessJudge.Kind.SERVICE_VERIFY_FAILED)).isPositive();
      } finally {
        rewrite(owner, seq, original.actor(), original.hash(), signature, forgedSignature);
        log.removeHandler(capture);
      }
    }
    assertThat(witness.audit()).isEmpty();
    assertThat(witness.mismatch()).isZero();
  }

  private static void rewrite(
      Connection owner,
      long seq,
      String actor,
      String hash,
      String newSignature,
      String oldSignature)
      throws Exception {
    // The owner of the tables (not a superuser) may switch their append-only triggers off, for
    // the length of one transaction that nobody else sees until it commits.
    owner.setAutoCommit(false);
    try (Statement ddl = owner.createStatement();
        PreparedStatement record =
            owner.prepareStatement("update audit_record set actor = ?, hash = ? where seq = ?");
        PreparedStatement checkpoint =
            owner.prepareStatement(
                "update audit_checkpoint set head_hash = ?, signature = ? where signature = ?")) {
      ddl.execute("alter table audit_record disable trigger audit_record_append_only");
      ddl.execute("alter table audit_checkpoint disable trigger audit_checkpoint_append_only");
      record.setString(1, actor);
      record.setString(2, hash);
      record.setLong(3, seq);
      assertThat(record.executeUpdate()).isEqualTo(1);
      checkpoint.setString(1, hash);
      checkpoint.setString(2, newSignature);
      checkpoint.setString(3, oldSignature);
      assertThat(checkpoint.executeUpdate()).isEqualTo(1);
      ddl.execute("alter table audit_record enable trigger audit_record_append_only");
      ddl.execute("alter table audit_checkpoint enable trigger audit_checkpoint_append_only");
      owner.commit();
    } catch (Exception e) {
      owner.rollback();
      throw e;
    }
  }

  /** The record as the insider wants it, re-hashed by the public chain rule. */
  private static TrailRecord rewritten(TrailRecord r, String actor) {
    return new TrailRecord(
            0,
            r.stream(),
            r.source(),
            r.eventId(),
            r.type(),
            r.specVersion(),
            r.subject(),
            r.ticketId(),
            actor,
            r.eventTime(),
            null,
            r.topic(),
            r.partition(),
            r.offset(),
            r.headers(),
            r.payload(),
            r.rawPayload(),
            r.parseError(),
            null,
            null)
        .chained(r.seq(), r.ingestedAt(), r.prevHash());
  }

  private String sign(byte[] message) throws Exception {
    byte[] der =
        Base64.getDecoder()
            .decode(
                servicePrivateKey
                    .replaceAll("-----(BEGIN|END) [A-Z ]+-----", "")
                    .replaceAll("\\s", ""));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der)));
    signer.update(message);
    return Base64.getEncoder().encodeToString(signer.sign());
  }

  private double alerts(WitnessJudge.Kind kind) {
    Counter c = registry.find("patchops.audit.witness.alerts").tags("kind", kind.name()).counter();
    return c == null ? 0 : c.count();
  }

  /** Alerts in the witness's own database, read with the witness's own credentials. */
  private static long witnessAlerts(WitnessJudge.Kind kind) throws Exception {
    String url = System.getProperty("devstack.test.jdbc-url");
    url = url.substring(0, url.lastIndexOf('/') + 1) + dev.patchops.audit.WitnessResource.DATABASE;
    try (Connection c =
            java.sql.DriverManager.getConnection(
                url,
                dev.patchops.devstack.PostgresServer.USER,
                dev.patchops.devstack.PostgresServer.PASSWORD);
        PreparedStatement s =
            c.prepareStatement("select count(*) from witness_alert where kind = ?")) {
      s.setString(1, kind.name());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static Handler errorCapture(List<String> lines) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
          String message = record.getMessage();
          Object[] params = record.getParameters();
          synchronized (lines) {
            lines.add(params == null ? message : String.format(message, params));
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }
}
