package dev.patchops.audit.checkpoint;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The published Ed25519 public keys, by key id ({@code kid}). Verification picks the key by the
 * checkpoint's kid and never trusts a key that travels with the checkpoint, so a key rotation keeps
 * old checkpoints verifiable (their key stays in the set) while a key nobody published is refused
 * outright.
 */
public final class KeySet {
  public static final String ALGORITHM = "Ed25519";

  public enum Verdict {
    VALID,
    /** The kid is in the set but the signature does not verify with its key. */
    INVALID,
    /** No published key has this kid. */
    UNKNOWN_KEY
  }

  private final Map<String, PublicKey> keys;

  private KeySet(Map<String, PublicKey> keys) {
    this.keys = Map.copyOf(keys);
  }

  public static KeySet of(Map<String, PublicKey> keys) {
    return new KeySet(keys);
  }

  /**
   * @param entries {@code kid=key}, the key as an X.509 PEM or its base64 DER body
   */
  public static KeySet parse(Collection<String> entries) {
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      if (eq <= 0 || eq == entry.length() - 1) {
        throw new IllegalArgumentException(
            "a published key is kid=<X.509 PEM or base64 DER>, got: " + abbreviate(entry));
      }
      String kid = entry.substring(0, eq).trim();
      PublicKey key = publicKey(entry.substring(eq + 1));
      PublicKey previous = keys.put(kid, key);
      if (previous != null && !previous.equals(key)) {
        throw new IllegalArgumentException("kid " + kid + " is published with two different keys");
      }
    }
    return new KeySet(keys);
  }

  /** The same set plus one more key; refuses a kid that already names another key. */
  public KeySet with(String kid, PublicKey key) {
    PublicKey existing = keys.get(kid);
    if (existing != null && !existing.equals(key)) {
      throw new IllegalArgumentException(
          "kid " + kid + " is already published with another public key");
    }
    Map<String, PublicKey> more = new LinkedHashMap<>(keys);
    more.put(kid, key);
    return new KeySet(more);
  }

  public boolean contains(String kid) {
    return keys.containsKey(kid);
  }

  public java.util.Set<String> kids() {
    return keys.keySet();
  }

  public Verdict verify(String kid, byte[] message, String signatureBase64) {
    PublicKey key = kid == null ? null : keys.get(kid);
    if (key == null) {
      return Verdict.UNKNOWN_KEY;
    }
    byte[] signature;
    try {
      signature = Base64.getDecoder().decode(signatureBase64);
    } catch (IllegalArgumentException | NullPointerException e) {
      return Verdict.INVALID;
    }
    return verify(key, message, signature) ? Verdict.VALID : Verdict.INVALID;
  }

  static boolean verify(PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      // A tampered signature can be an invalid curve point: not a valid signature either way.
      return false;
    }
  }

  /** An X.509 PEM or its bare base64 DER body. */
  public static PublicKey publicKey(String text) {
    try {
      return KeyFactory.getInstance(ALGORITHM)
          .generatePublic(new X509EncodedKeySpec(SigningKeys.pem(text)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an Ed25519 X.509 public key: " + e.getMessage(), e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 24 ? s : s.substring(0, 24) + "…";
  }
}
