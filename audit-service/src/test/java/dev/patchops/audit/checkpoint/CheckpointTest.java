package dev.patchops.audit.checkpoint;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.AuditSigningKeyResource;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.erdtman.jcs.JsonCanonicalizer;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithAuditInfra
class CheckpointTest {
  @Inject AuditQuery query;

  @ConfigProperty(name = "audit.signing.public-key")
  String configuredPublicKey;

  @Test
  void aCheckpointOfTheHeadIsSignedStoredAndPublishedAndVerifiesWithThePublicKey()
      throws Exception {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, "anchor me"));
    List<TrailRecord> records = awaitTicket(query, ticketId, 1);
    TrailRecord head = records.get(records.size() - 1);

    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.AUDIT)) {
      JsonNode signed =
          ContractJson.mapper()
              .readTree(
                  given()
                      .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
                      .post("/api/v1/audit/checkpoints")
                      .then()
                      .statusCode(201)
                      .extract()
                      .asString());
      assertThat(signed.get("seq").asLong()).isGreaterThanOrEqualTo(head.seq());
      assertThat(signed.get("algorithm").asText()).isEqualTo("Ed25519");
      assertThat(signed.get("keyId").asText()).isEqualTo(AuditSigningKeyResource.KEY_ID);
      assertThat(signed.get("prevCheckpointHash").asText()).matches("[0-9a-f]{64}");

      JsonNode latest =
          ContractJson.mapper()
              .readTree(
                  given()
                      .header("Authorization", TestInfra.bearer("dave", Roles.ADMIN))
                      .get("/api/v1/audit/checkpoints/latest")
                      .then()
                      .statusCode(200)
                      .extract()
                      .asString());
      assertThat(latest).isEqualTo(signed);

      // Verified here from first principles, as a third party would, with the configured key.
      PublicKey key =
          KeyFactory.getInstance("Ed25519")
              .generatePublic(
                  new X509EncodedKeySpec(
                      Base64.getMimeDecoder()
                          .decode(configuredPublicKey.replaceAll("-----[A-Z ]+-----", ""))));
      assertThat(Base64.getEncoder().encodeToString(key.getEncoded()))
          .isEqualTo(signed.get("publicKey").asText());
      byte[] signature = Base64.getDecoder().decode(signed.get("signature").asText());
      byte[] message = message(signed);
      assertThat(verifies(key, message, signature)).isTrue();

      byte[] tamperedMessage = message.clone();
      tamperedMessage[tamperedMessage.length / 2] ^= 1;
      assertThat(verifies(key, tamperedMessage, signature)).isFalse();
      byte[] tamperedSignature = signature.clone();
      tamperedSignature[0] ^= 1;
      assertThat(verifies(key, message, tamperedSignature)).isFalse();

      List<ConsumerRecord<String, byte[]>> published =
          probe.collect(
              r -> signed.get("headHash").asText().equals(headHash(r)), 1, Duration.ofSeconds(20));
      assertThat(published).hasSize(1);
      assertThat(KafkaProbe.header(published.get(0), CloudEventHeaders.TYPE))
          .isEqualTo(EventType.AUDIT_CHECKPOINT_SIGNED.type());
      assertThat(ContractJson.mapper().readTree(published.get(0).value())).isEqualTo(signed);
    }
  }

  @Test
  void signingAnUnchangedHeadReturnsTheSameCheckpoint() {
    String ticketId = newTicketId();
    AuditFixtures.send(opened(ticketId, "once"));
    awaitTicket(query, ticketId, 1);
    String auth = TestInfra.bearer("carol", Roles.AUDITOR);
    String first =
        given()
            .header("Authorization", auth)
            .post("/api/v1/audit/checkpoints")
            .then()
            .statusCode(201)
            .extract()
            .path("signature");
    given()
        .header("Authorization", auth)
        .post("/api/v1/audit/checkpoints")
        .then()
        .statusCode(201)
        .body("signature", equalTo(first));
  }

  @Test
  void checkpointsAreForAuditorsAndAdminsOnly() {
    given()
        .header("Authorization", TestInfra.bearer("erin", Roles.ENGINEER))
        .get("/api/v1/audit/checkpoints/latest")
        .then()
        .statusCode(403);
    given().post("/api/v1/audit/checkpoints").then().statusCode(401);
  }

  private static byte[] message(JsonNode checkpoint) throws Exception {
    String json =
        ContractJson.mapper()
            .createObjectNode()
            .put("seq", checkpoint.get("seq").asLong())
            .put("headHash", checkpoint.get("headHash").asText())
            .put("signedAt", checkpoint.get("signedAt").asText())
            .put("keyId", checkpoint.get("keyId").asText())
            .put("prevCheckpointHash", checkpoint.get("prevCheckpointHash").asText())
            .toString();
    return new JsonCanonicalizer(json).getEncodedString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean verifies(PublicKey key, byte[] message, byte[] signature)
      throws Exception {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(key);
    verifier.update(message);
    try {
      return verifier.verify(signature);
    } catch (java.security.SignatureException e) {
      return false; // a flipped bit can make the signature's curve point invalid outright
    }
  }

  private static String headHash(ConsumerRecord<String, byte[]> record) {
    try {
      return ContractJson.mapper().readTree(record.value()).path("headHash").asText();
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
