package dev.patchops.audit.checkpoint;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The service refuses to sign a head grown on a chain that no longer holds its last checkpoint:
 * signing it would bless the rewrite.
 */
@QuarkusTest
@WithAuditInfra
class ChainBrokenRefusalTest {
  @Inject AuditQuery query;
  @Inject dev.patchops.audit.trail.AuditTrail trail;

  @Test
  void aRecordRewrittenAtTheLastCheckpointMakesTheNextSigningA409AndSignsNothing()
      throws Exception {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, "before the checkpoint"));
    awaitTicket(query, ticketId, 1);
    long signedSeq = ((Number) sign().statusCode(201).extract().path("seq")).longValue();
    TrailRecord signed = trail.find(signedSeq).orElseThrow();
    // The head moves on past the checkpoint, so there is something new to sign.
    AuditFixtures.send(opened(ticketId, "after the checkpoint"));
    awaitTicket(query, ticketId, 2);

    String rewritten =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(("rewritten " + signedSeq).getBytes(StandardCharsets.UTF_8)));
    try (Connection attacker = TestInfra.superuserConnection()) {
      try (Statement statement = attacker.createStatement()) {
        statement.execute("set session_replication_role = replica");
      }
      setHash(attacker, signedSeq, rewritten);
      try {
        sign()
            .statusCode(409)
            .contentType("application/problem+json")
            .body("type", equalTo("https://patchops.dev/problems/audit-chain-broken"))
            .body("status", equalTo(409))
            .body("detail", containsString("seq " + signedSeq));
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .get("/api/v1/audit/checkpoints/latest")
            .then()
            .statusCode(200)
            .body("seq", equalTo((int) signedSeq));
      } finally {
        setHash(attacker, signedSeq, signed.hash());
      }
    }
    // With the record restored the same request signs again: the refusal was the rewrite's.
    long next = ((Number) sign().statusCode(201).extract().path("seq")).longValue();
    assertThat(next).isGreaterThan(signedSeq);
  }

  private static ValidatableResponse sign() {
    return given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .post("/api/v1/audit/checkpoints")
        .then();
  }

  private static void setHash(Connection connection, long seq, String hash) throws Exception {
    try (PreparedStatement update =
        connection.prepareStatement("update audit_record set hash = ? where seq = ?")) {
      update.setString(1, hash);
      update.setLong(2, seq);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }
}
