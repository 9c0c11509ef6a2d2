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

  private final KeyPair keyPair;
  private final String keyId = UUID.randomUUID().toString();

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

  public static JwtIssuer of(KeyPair keyPair) {
    return new JwtIssuer(keyPair);
  }

  public KeyPair keyPair() {
    return keyPair;
  }

  public String publicKeyPem() {
    return pem("PUBLIC KEY", keyPair.getPublic().getEncoded());
  }

  public String privateKeyPem() {
    return pem("PRIVATE KEY", keyPair.getPrivate().getEncoded());
  }

  public String mint(String subject, Collection<String> roles, Duration ttl) {
    Instant now = Instant.now();
    String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":" + quote(keyId) + "}";
    String claims =
        "{\"iss\":"
            + quote(ISSUER)
            + ",\"sub\":"
            + quote(subject)
            + ",\"upn\":"
            + quote(subject)
            + ",\"preferred_username\":"
            + quote(subject)
            + ",\"groups\":["
            + roles.stream().map(JwtIssuer::quote).collect(Collectors.joining(","))
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

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
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
