package dev.patchops.audit.checkpoint;

import dev.patchops.audit.config.AuditConfig;
import dev.patchops.audit.trail.ChainHash;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * The Ed25519 key that signs checkpoints now, with its id ({@code kid}), and the published key set
 * every checkpoint is verified against. The signing pair is checked at startup, so a mismatched
 * public key fails the boot instead of publishing checkpoints nobody can verify; the signing key
 * joins the set under its kid, and a kid that the set already gives another key is refused.
 */
@ApplicationScoped
public class SigningKeys {
  public static final String ALGORITHM = KeySet.ALGORITHM;

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;
  private final KeySet keySet;

  @Inject
  public SigningKeys(AuditConfig config) {
    String privatePem =
        config
            .signing()
            .privateKey()
            .orElseThrow(
                () -> new IllegalStateException("audit.signing.private-key is required to sign"));
    String publicPem =
        config
            .signing()
            .publicKey()
            .orElseThrow(
                () -> new IllegalStateException("audit.signing.public-key is required to sign"));
    try {
      this.privateKey =
          KeyFactory.getInstance(ALGORITHM)
              .generatePrivate(new PKCS8EncodedKeySpec(pem(privatePem)));
      this.publicKey = KeySet.publicKey(publicPem);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "audit.signing.private-key / public-key must be an Ed25519 PKCS#8 / X.509 PEM pair: "
              + e.getMessage(),
          e);
    }
    // Without a configured kid, the key's fingerprint names it (what checkpoints carried before).
    this.keyId =
        config.signing().keyId().orElseGet(() -> ChainHash.sha256Hex(publicKey.getEncoded()));
    byte[] probe = "patchops audit key check".getBytes(StandardCharsets.UTF_8);
    if (!KeySet.verify(publicKey, probe, sign(probe))) {
      throw new IllegalStateException("audit.signing.public-key does not match the private key");
    }
    try {
      this.keySet =
          KeySet.parse(config.signing().publishedKeys().orElse(List.of())).with(keyId, publicKey);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("audit.signing.published-keys: " + e.getMessage(), e);
    }
  }

  public byte[] sign(byte[] message) {
    try {
      Signature signer = Signature.getInstance(ALGORITHM);
      signer.initSign(privateKey);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed", e);
    }
  }

  /** The published keys, the signing one included. */
  public KeySet keySet() {
    return keySet;
  }

  public PublicKey publicKey() {
    return publicKey;
  }

  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(publicKey.getEncoded());
  }

  public String keyId() {
    return keyId;
  }

  static byte[] pem(String text) {
    String body = text.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}
