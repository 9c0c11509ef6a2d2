package dev.patchops.audit.witness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.audit.checkpoint.CheckpointMessage;
import dev.patchops.audit.checkpoint.KeySet;
import dev.patchops.devstack.AuditSigningKey;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WitnessJudgeTest {
  private static final AuditSigningKey KEY = AuditSigningKey.generate();
  private static final KeySet KEYS = KeySet.parse(List.of("k1=" + KEY.publicKeyPem()));

  @Test
  void aCheckpointThatLinksTheWitnessedHeadIsAcceptedAndTheFirstOneIsTakenOnTrust() {
    Witnessed first = signed(KEY, "k1", 10, 'a', "7".repeat(64));
    assertThat(WitnessJudge.onCheckpoint(Optional.empty(), first, KEYS)).isEmpty();
    Witnessed second = signed(KEY, "k1", 20, 'b', first.checkpointHash());
    assertThat(WitnessJudge.onCheckpoint(Optional.of(first), second, KEYS)).isEmpty();
  }

  @Test
  void aReSignedOrSkippedCheckpointBreaksTheLinkAndAnOlderOneIsARollback() {
    Witnessed first = signed(KEY, "k1", 10, 'a', CheckpointMessage.GENESIS);
    Witnessed unlinked = signed(KEY, "k1", 20, 'b', "9".repeat(64));
    assertThat(WitnessJudge.onCheckpoint(Optional.of(first), unlinked, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.LINK_BROKEN);
    Witnessed older = signed(KEY, "k1", 5, 'c', first.checkpointHash());
    assertThat(WitnessJudge.onCheckpoint(Optional.of(first), older, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.ROLLED_BACK);
  }

  @Test
  void anUnknownKidOrABadSignatureIsRefused() {
    Witnessed rogue = signed(AuditSigningKey.generate(), "k9", 10, 'a', CheckpointMessage.GENESIS);
    assertThat(WitnessJudge.onCheckpoint(Optional.empty(), rogue, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.KEY_UNKNOWN);
    Witnessed posing = signed(AuditSigningKey.generate(), "k1", 10, 'a', CheckpointMessage.GENESIS);
    assertThat(WitnessJudge.onCheckpoint(Optional.empty(), posing, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.SIGNATURE_INVALID);
  }

  @Test
  void theServiceMustAgreeWithEveryWitnessedCheckpointAndNotFallBehind() {
    Witnessed heard = signed(KEY, "k1", 10, 'a', CheckpointMessage.GENESIS);
    Map<Long, Witnessed> witnessed = Map.of(10L, heard);
    assertThat(WitnessJudge.onServiceAnswers(witnessed, Optional.of(heard), true, null, KEYS))
        .isEmpty();
    Witnessed newer = signed(KEY, "k1", 30, 'c', heard.checkpointHash());
    assertThat(WitnessJudge.onServiceAnswers(witnessed, Optional.of(newer), true, null, KEYS))
        .isEmpty();

    Witnessed rewritten = signed(KEY, "k1", 10, 'f', CheckpointMessage.GENESIS);
    assertThat(WitnessJudge.onServiceAnswers(witnessed, Optional.of(rewritten), true, null, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.SERVICE_DISAGREES);
    Witnessed behind = signed(KEY, "k1", 4, 'd', CheckpointMessage.GENESIS);
    assertThat(WitnessJudge.onServiceAnswers(witnessed, Optional.of(behind), true, null, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.SERVICE_DISAGREES);
    assertThat(WitnessJudge.onServiceAnswers(witnessed, Optional.empty(), true, null, KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.SERVICE_DISAGREES);
    assertThat(
            WitnessJudge.onServiceAnswers(
                witnessed, Optional.of(heard), false, "{\"kind\":\"TRUNCATED\"}", KEYS))
        .extracting(WitnessJudge.Mismatch::kind)
        .containsExactly(WitnessJudge.Kind.SERVICE_VERIFY_FAILED);
  }

  private static Witnessed signed(
      AuditSigningKey key, String kid, long seq, char head, String prev) {
    Instant at = Instant.parse("2026-12-01T10:00:00Z").plusSeconds(seq);
    String headHash = String.valueOf(head).repeat(64);
    byte[] message = CheckpointMessage.bytes(seq, headHash, at, kid, prev);
    return new Witnessed(seq, headHash, at, kid, sign(key, message), prev);
  }

  private static String sign(AuditSigningKey key, byte[] message) {
    try {
      byte[] der =
          Base64.getDecoder()
              .decode(
                  key.privateKeyPem()
                      .replaceAll("-----(BEGIN|END) [A-Z ]+-----", "")
                      .replaceAll("\\s", ""));
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(
          KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der)));
      signer.update(message);
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
