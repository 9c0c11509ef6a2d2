package dev.patchops.audit.checkpoint;

import dev.patchops.audit.config.AuditConfig;
import dev.patchops.audit.trail.ChainHash;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The Ed25519 key pair that signs checkpoints. The pair is checked at startup, so a mismatched
 * public key fails the boot instead of publishing checkpoints nobody can verify.
 */
@ApplicationScoped
public class SigningKeys {
  public static final String ALGORITHM = "Ed25519";

  private final PrivateKey privateKey;
  private final PublicKey publicKey;
  private final String keyId;

  @Inject
  public SigningKeys(AuditConfig config) {
    try {
      KeyFactory factory = KeyFactory.getInstance(ALGORITHM);
      this.privateKey =
          factory.generatePrivate(new PKCS8EncodedKeySpec(pem(config.signing().privateKey())));
      this.publicKey =
          factory.generatePublic(new X509EncodedKeySpec(pem(config.signing().publicKey())));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException(
          "audit.signing.private-key / public-key must be an Ed25519 PKCS#8 / X.509 PEM pair: "
              + e.getMessage(),
          e);
    }
    this.keyId = ChainHash.sha256Hex(publicKey.getEncoded());
    byte[] probe = "patchops audit key check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (!verify(publicKey, probe, sign(probe))) {
      throw new IllegalStateException("audit.signing.public-key does not match the private key");
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

  public static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  public static PublicKey publicKey(String base64Der) throws GeneralSecurityException {
    return KeyFactory.getInstance(ALGORITHM)
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(base64Der)));
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

  private static byte[] pem(String text) {
    String body = text.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
    return Base64.getDecoder().decode(body);
  }
}
