package dev.patchops.rollout.checkpoint;

import dev.patchops.rollout.config.RolloutConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals checkpointed Secret data with AES-256-GCM, bound to its rollout (the associated data), so a
 * sealed blob moved to another rollout's row fails to open instead of restoring the wrong Secret.
 */
@ApplicationScoped
public class SecretSealer {
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  @Inject
  public SecretSealer(RolloutConfig config) {
    this(Base64.getDecoder().decode(config.checkpointKey().trim()));
  }

  public SecretSealer(byte[] rawKey) {
    if (rawKey.length != 32) {
      throw new IllegalArgumentException(
          "rollout.checkpoint-key must be base64 of 32 bytes, not " + rawKey.length);
    }
    this.key = new SecretKeySpec(rawKey, "AES");
  }

  /** HMAC-SHA256 under a key derived from the sealing key, for hashes of Secret content. */
  public String digest(String value) {
    try {
      javax.crypto.Mac derive = javax.crypto.Mac.getInstance("HmacSHA256");
      derive.init(key);
      byte[] digestKey =
          derive.doFinal("patchops secret digest v1".getBytes(StandardCharsets.UTF_8));
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(digestKey, "HmacSHA256"));
      return "hmac-sha256:"
          + java.util.HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public byte[] seal(String plaintext, String rolloutId) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(rolloutId.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal checkpoint secrets", e);
    }
  }

  public String open(byte[] sealed, String rolloutId) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      cipher.updateAAD(rolloutId.getBytes(StandardCharsets.UTF_8));
      return new String(
          cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("checkpoint secrets do not open with the configured key", e);
    }
  }
}
