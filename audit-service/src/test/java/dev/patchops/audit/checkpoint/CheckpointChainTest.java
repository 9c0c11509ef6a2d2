package dev.patchops.audit.checkpoint;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.AuditSigningKeyResource;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.devstack.AuditSigningKey;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** Checkpoints chain to each other, and verify against the published key set by kid. */
@QuarkusTest
@WithAuditInfra
class CheckpointChainTest {
  private static final long CHAIN_LOCK = 0x7061_7463_6861_7564L;

  @Inject AuditQuery query;

  @ConfigProperty(name = "audit.signing.private-key")
  String servicePrivateKey;

  private Map<String, Object> checkpointAfterNewEvents(String title) {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, title));
    awaitTicket(query, ticketId, 1);
    return given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .post("/api/v1/audit/checkpoints")
        .then()
        .statusCode(201)
        .extract()
        .jsonPath()
        .getMap("");
  }

  private static ValidatableResponse verify() {
    return given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .get("/api/v1/audit/verify")
        .then()
        .statusCode(200);
  }

  private static ValidatableResponse verifyAgainst(Map<String, Object> kept) {
    return given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .contentType("application/json")
        .body(Map.of("checkpoints", List.of(kept)))
        .post("/api/v1/audit/verify")
        .then()
        .statusCode(200);
  }

  @Test
  void eachCheckpointLinksThePreviousOneAndReSigningAnEarlierOneWithTheServicesKeyBreaksTheLink()
      throws Exception {
    Map<String, Object> first = checkpointAfterNewEvents("link one");
    Map<String, Object> second = checkpointAfterNewEvents("link two");
    org.assertj.core.api.Assertions.assertThat(second.get("prevCheckpointHash"))
        .isEqualTo(hash(first));
    verify().body("valid", equalTo(true));

    // An insider with the database and the signing key re-signs the first checkpoint (a new
    // signing time is enough to change what it hashes to). Its own signature is valid...
    long seq = ((Number) first.get("seq")).longValue();
    Instant resignedAt = Instant.parse((String) first.get("signedAt")).plusSeconds(1);
    String signature =
        sign(
            servicePrivateKey,
            CheckpointMessage.bytes(
                seq,
                (String) first.get("headHash"),
                resignedAt,
                (String) first.get("keyId"),
                (String) first.get("prevCheckpointHash")));
    try (Connection owner = TestInfra.superuserConnection();
        Statement s = owner.createStatement()) {
      s.execute("select pg_advisory_lock(" + CHAIN_LOCK + ")");
      s.execute("set session_replication_role = replica");
      int changed = update(owner, resignedAt, signature, (String) first.get("signature"));
      org.assertj.core.api.Assertions.assertThat(changed).isEqualTo(1);
      try {
        // ...but the checkpoint after it still links to what was signed first.
        verify()
            .body("valid", equalTo(false))
            .body("firstBroken.kind", equalTo("CHECKPOINT_LINK_BROKEN"))
            .body("firstBroken.seq", equalTo(((Number) second.get("seq")).intValue()));
      } finally {
        update(
            owner,
            Instant.parse((String) first.get("signedAt")),
            (String) first.get("signature"),
            signature);
      }
    }
    verify().body("valid", equalTo(true));
  }

  @Test
  void aCheckpointOfARetiredPublishedKeyVerifiesAndOneOfAnUnpublishedKeyIsRefused()
      throws Exception {
    Map<String, Object> current = checkpointAfterNewEvents("rotation");
    Map<String, Object> old = new HashMap<>(current);
    old.put("keyId", AuditSigningKeyResource.RETIRED_KEY_ID);
    old.put(
        "signature",
        sign(
            System.getProperty(AuditSigningKeyResource.RETIRED_PRIVATE_KEY_PROPERTY),
            message(old)));
    verifyAgainst(old).body("valid", equalTo(true));

    Map<String, Object> rogue = new HashMap<>(current);
    rogue.put("keyId", "audit-rogue");
    rogue.put("signature", sign(AuditSigningKey.generate().privateKeyPem(), message(rogue)));
    verifyAgainst(rogue)
        .body("valid", equalTo(false))
        .body("firstBroken.kind", equalTo("CHECKPOINT_KEY_UNKNOWN"));

    // A rogue key cannot borrow a published kid either.
    Map<String, Object> posing = new HashMap<>(current);
    posing.put("keyId", AuditSigningKeyResource.RETIRED_KEY_ID);
    posing.put("signature", sign(AuditSigningKey.generate().privateKeyPem(), message(posing)));
    verifyAgainst(posing)
        .body("valid", equalTo(false))
        .body("firstBroken.kind", equalTo("CHECKPOINT_SIGNATURE_INVALID"));
  }

  private static int update(Connection owner, Instant signedAt, String signature, String where)
      throws Exception {
    try (PreparedStatement p =
        owner.prepareStatement(
            "update audit_checkpoint set signed_at = ?, signature = ? where signature = ?")) {
      p.setObject(1, java.time.OffsetDateTime.ofInstant(signedAt, java.time.ZoneOffset.UTC));
      p.setString(2, signature);
      p.setString(3, where);
      return p.executeUpdate();
    }
  }

  private static byte[] message(Map<String, Object> c) {
    return CheckpointMessage.bytes(
        ((Number) c.get("seq")).longValue(),
        (String) c.get("headHash"),
        Instant.parse((String) c.get("signedAt")),
        (String) c.get("keyId"),
        (String) c.get("prevCheckpointHash"));
  }

  private static String hash(Map<String, Object> c) {
    return dev.patchops.audit.trail.ChainHash.sha256Hex(message(c));
  }

  static String sign(String privateKeyPem, byte[] message) throws Exception {
    byte[] der =
        Base64.getDecoder()
            .decode(
                privateKeyPem
                    .replaceAll("-----(BEGIN|END) [A-Z ]+-----", "")
                    .replaceAll("\\s", ""));
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(
        KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der)));
    signer.update(message);
    return Base64.getEncoder().encodeToString(signer.sign());
  }
}
