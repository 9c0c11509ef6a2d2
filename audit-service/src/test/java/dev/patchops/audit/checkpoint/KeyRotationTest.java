package dev.patchops.audit.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.audit.config.AuditConfig;
import dev.patchops.devstack.AuditSigningKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keys rotate without breaking old checkpoints; keys nobody published are refused. */
class KeyRotationTest {
  private static final AuditSigningKey OLD = AuditSigningKey.generate();
  private static final AuditSigningKey NEW = AuditSigningKey.generate();
  private static final AuditSigningKey ROGUE = AuditSigningKey.generate();

  @Test
  void aCheckpointSignedBeforeARotationStillVerifiesAndTheChainOfCheckpointsContinues() {
    SigningKeys before = keys(OLD, "k1", List.of());
    AuditCheckpoint first = sign(before, 10, CheckpointMessage.GENESIS);
    assertThat(verdict(before, first)).isEqualTo(KeySet.Verdict.VALID);

    // Rotation: the new key signs from now on; the old one stays published under its kid.
    SigningKeys after = keys(NEW, "k2", List.of("k1=" + OLD.publicKeyPem()));
    AuditCheckpoint second = sign(after, 20, CheckpointMessage.hash(first));
    assertThat(verdict(after, first)).isEqualTo(KeySet.Verdict.VALID);
    assertThat(verdict(after, second)).isEqualTo(KeySet.Verdict.VALID);
    assertThat(second.prevCheckpointHash).isEqualTo(CheckpointMessage.hash(first));

    // Without the old key in the set, its checkpoints are refused as signed by an unknown key.
    SigningKeys forgetful = keys(NEW, "k2", List.of());
    assertThat(verdict(forgetful, first)).isEqualTo(KeySet.Verdict.UNKNOWN_KEY);
  }

  @Test
  void anUnknownKidIsRefusedAndAKnownKidDoesNotLendItsTrustToAnotherKey() {
    SigningKeys service = keys(NEW, "k2", List.of("k1=" + OLD.publicKeyPem()));
    SigningKeys rogue = keys(ROGUE, "k9", List.of());
    AuditCheckpoint unknown = sign(rogue, 5, CheckpointMessage.GENESIS);
    assertThat(verdict(service, unknown)).isEqualTo(KeySet.Verdict.UNKNOWN_KEY);

    // The rogue key signs under a published kid: the kid's own key decides, so it fails.
    SigningKeys impostor = keys(ROGUE, "k1", List.of());
    AuditCheckpoint posing = sign(impostor, 5, CheckpointMessage.GENESIS);
    assertThat(verdict(service, posing)).isEqualTo(KeySet.Verdict.INVALID);

    // The public key carried by a checkpoint is never what it is checked with.
    posing.publicKey = Base64.getEncoder().encodeToString(impostor.publicKey().getEncoded());
    assertThat(verdict(service, posing)).isEqualTo(KeySet.Verdict.INVALID);
  }

  @Test
  void aKidPublishedWithAnotherKeyThanTheSigningKeyFailsTheBoot() {
    assertThatThrownBy(() -> keys(NEW, "k1", List.of("k1=" + OLD.publicKeyPem())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kid k1");
    assertThatThrownBy(() -> keys(NEW, "k2", List.of("no-key-here")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kid=");
  }

  @Test
  void anyChangeToASignedFieldOrItsLinkChangesTheCheckpointHash() {
    SigningKeys service = keys(NEW, "k2", List.of());
    AuditCheckpoint c = sign(service, 7, CheckpointMessage.GENESIS);
    String hash = CheckpointMessage.hash(c);
    c.prevCheckpointHash = "1".repeat(64);
    assertThat(CheckpointMessage.hash(c)).isNotEqualTo(hash);
    assertThat(verdict(service, c)).isEqualTo(KeySet.Verdict.INVALID);
  }

  private static KeySet.Verdict verdict(SigningKeys keys, AuditCheckpoint c) {
    return keys.keySet().verify(c.keyId, CheckpointMessage.bytes(c), c.signature);
  }

  private static AuditCheckpoint sign(SigningKeys keys, long seq, String prev) {
    AuditCheckpoint c = new AuditCheckpoint();
    c.seq = seq;
    c.headHash = Long.toString(seq).repeat(64).substring(0, 64);
    c.signedAt = Instant.parse("2026-12-01T10:00:00Z").plusSeconds(seq);
    c.keyId = keys.keyId();
    c.algorithm = SigningKeys.ALGORITHM;
    c.prevCheckpointHash = prev;
    c.signature = Base64.getEncoder().encodeToString(keys.sign(CheckpointMessage.bytes(c)));
    return c;
  }

  static SigningKeys keys(AuditSigningKey pair, String kid, List<String> published) {
    return new SigningKeys(config(pair, kid, published));
  }

  private static AuditConfig config(AuditSigningKey pair, String kid, List<String> published) {
    AuditConfig.Signing signing =
        new AuditConfig.Signing() {
          @Override
          public Optional<String> privateKey() {
            return Optional.of(pair.privateKeyPem());
          }

          @Override
          public Optional<String> publicKey() {
            return Optional.of(pair.publicKeyPem());
          }

          @Override
          public Optional<String> keyId() {
            return Optional.of(kid);
          }

          @Override
          public Optional<List<String>> publishedKeys() {
            return Optional.of(published);
          }
        };
    return (AuditConfig)
        java.lang.reflect.Proxy.newProxyInstance(
            AuditConfig.class.getClassLoader(),
            new Class<?>[] {AuditConfig.class},
            (proxy, method, args) -> {
              if (method.getName().equals("signing")) {
                return signing;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
