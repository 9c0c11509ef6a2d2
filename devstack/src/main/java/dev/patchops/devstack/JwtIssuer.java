package dev.patchops.devstack;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Mints RS256 JWTs that the services' SmallRye JWT verification accepts. Used by the tests and by
 * the local stack, which prints tokens for each role; production tokens come from a real IdP.
 */
public final class JwtIssuer {
  public static final String ISSUER = "https://patchops.dev";

  /** The audience the services require ({@code mp.jwt.verify.audiences}). */
  public static final String AUDIENCE = "patchops";

  /**
   * How a PatchOps role is spelled as a group of the identity provider: {@code engineer} is the
   * group {@code patchops-engineer}, so another application's {@code admin} grants nothing here.
   */
  public static final String GROUP_PREFIX = "patchops-";

  private final KeyPair keyPair;

  private JwtIssuer(KeyPair keyPair) {
    this.keyPair = keyPair;
  }

  public static JwtIssuer generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return new JwtIssuer(generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public KeyPair keyPair() {
    return keyPair;
  }

  public String publicKeyPem() {
    return Pem.encode("PUBLIC KEY", keyPair.getPublic().getEncoded());
  }

  public String privateKeyPem() {
    return Pem.encode("PRIVATE KEY", keyPair.getPrivate().getEncoded());
  }

  /** Writes both keys as PEM files, so another class loader or process can mint tokens too. */
  public void save(java.nio.file.Path privateKeyFile, java.nio.file.Path publicKeyFile) {
    try {
      java.nio.file.Files.writeString(privateKeyFile, privateKeyPem());
      java.nio.file.Files.writeString(publicKeyFile, publicKeyPem());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public static JwtIssuer load(
      java.nio.file.Path privateKeyFile, java.nio.file.Path publicKeyFile) {
    try {
      java.security.KeyFactory rsa = java.security.KeyFactory.getInstance("RSA");
      var privateKey =
          rsa.generatePrivate(
              new java.security.spec.PKCS8EncodedKeySpec(
                  Pem.decode(java.nio.file.Files.readString(privateKeyFile))));
      var publicKey =
          rsa.generatePublic(
              new java.security.spec.X509EncodedKeySpec(
                  Pem.decode(java.nio.file.Files.readString(publicKeyFile))));
      return new JwtIssuer(new KeyPair(publicKey, privateKey));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A token holding the PatchOps {@code roles}, as the identity provider would issue it. */
  public String mint(String subject, Collection<String> roles, Duration ttl) {
    return mintRaw(
        subject, roles.stream().map(role -> GROUP_PREFIX + role).toList(), AUDIENCE, ttl);
  }

  /**
   * A token with exactly these {@code groups} and {@code audience} (none if null): for the tests of
   * what the services refuse.
   */
  public String mintRaw(String subject, Collection<String> groups, String audience, Duration ttl) {
    Instant now = Instant.now();
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
    String claims =
        "{\"iss\":"
            + quote(ISSUER)
            + (audience == null ? "" : ",\"aud\":" + quote(audience))
            + ",\"sub\":"
            + quote(subject)
            + ",\"upn\":"
            + quote(subject)
            + ",\"preferred_username\":"
            + quote(subject)
            + ",\"groups\":["
            + groups.stream().map(JwtIssuer::quote).collect(Collectors.joining(","))
            + "],\"iat\":"
            + now.getEpochSecond()
            + ",\"exp\":"
            + now.plus(ttl).getEpochSecond()
            + ",\"jti\":"
            + quote(UUID.randomUUID().toString())
            + "}";
    String signingInput = base64Url(header) + "." + base64Url(claims);
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(keyPair.getPrivate());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput
          + "."
          + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
