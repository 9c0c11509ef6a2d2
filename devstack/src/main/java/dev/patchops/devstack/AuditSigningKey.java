package dev.patchops.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;

/**
 * The Ed25519 key pair the audit-service signs checkpoints with, generated for tests and the local
 * stack. A real deployment brings its own (see deploy/).
 */
public final class AuditSigningKey {
  private final String privateKeyPem;
  private final String publicKeyPem;

  private AuditSigningKey(String privateKeyPem, String publicKeyPem) {
    this.privateKeyPem = privateKeyPem;
    this.publicKeyPem = publicKeyPem;
  }

  public static AuditSigningKey generate() {
    try {
      KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      return new AuditSigningKey(
          Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()),
          Pem.encode("PUBLIC KEY", pair.getPublic().getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no Ed25519", e);
    }
  }

  /** Keeps the pair across runs, so checkpoints signed earlier still verify. */
  public static AuditSigningKey loadOrGenerate(Path privateKeyFile, Path publicKeyFile) {
    try {
      if (Files.exists(privateKeyFile) && Files.exists(publicKeyFile)) {
        return new AuditSigningKey(
            Files.readString(privateKeyFile), Files.readString(publicKeyFile));
      }
      AuditSigningKey key = generate();
      Files.createDirectories(privateKeyFile.toAbsolutePath().getParent());
      Files.writeString(privateKeyFile, key.privateKeyPem);
      Files.writeString(publicKeyFile, key.publicKeyPem);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String privateKeyPem() {
    return privateKeyPem;
  }

  public String publicKeyPem() {
    return publicKeyPem;
  }
}
