package dev.patchops.ticket.hooks;

import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.rest.Problem;
import dev.patchops.ticket.config.TicketServiceConfig.Hook;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Hooks are called by alerting systems, not people: they prove themselves with a shared bearer
 * token or an HMAC-SHA256 signature over the raw body. Both are compared in constant time.
 */
public final class HookAuthenticator {
  private HookAuthenticator() {}

  /**
   * @param header reads a request header by name, or null
   */
  public static void verify(
      String hook, Hook config, Function<String, String> header, byte[] body) {
    if (config.token().isEmpty() && config.hmacSecret().isEmpty()) {
      throw unauthorized(hook + " hook is not configured: set a token or an HMAC secret");
    }
    String signatureHeader = config.signatureHeader().orElse(null);
    String signature = signatureHeader == null ? null : header.apply(signatureHeader);
    if (config.hmacSecret().isPresent() && signature != null) {
      verifySignature(config, signature, header, body);
      return;
    }
    if (config.token().isPresent()) {
      String authorization = header.apply("Authorization");
      String presented =
          authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
              ? authorization.substring(7).trim()
              : null;
      if (presented != null && constantTimeEquals(presented, config.token().get())) {
        return;
      }
      throw unauthorized("missing or wrong bearer token for the " + hook + " hook");
    }
    throw unauthorized("the " + hook + " hook needs a signature in " + signatureHeader);
  }

  private static void verifySignature(
      Hook config, String signature, Function<String, String> header, byte[] body) {
    byte[] signed = body;
    String timestampHeader = config.timestampHeader().orElse(null);
    String timestamp = timestampHeader == null ? null : header.apply(timestampHeader);
    if (timestampHeader != null && timestamp == null) {
      // Without the timestamp a captured request could be replayed forever.
      throw unauthorized("signed requests need the " + timestampHeader + " header");
    }
    if (timestamp != null) {
      Instant at;
      try {
        at = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
      } catch (NumberFormatException | java.time.DateTimeException e) {
        throw unauthorized("signature timestamp is not a Unix time");
      }
      if (Duration.between(at, Instant.now()).abs().compareTo(config.maxSkew()) > 0) {
        throw unauthorized("signature timestamp is outside the allowed window");
      }
      byte[] prefix = (timestamp.trim() + ":").getBytes(StandardCharsets.UTF_8);
      signed = new byte[prefix.length + body.length];
      System.arraycopy(prefix, 0, signed, 0, prefix.length);
      System.arraycopy(body, 0, signed, prefix.length, body.length);
    }
    byte[] expected = hmac(config.hmacSecret().get(), signed);
    // PagerDuty sends "v1=<hex>[,v1=<hex>]" during key rotation; Grafana a bare hex string.
    for (String candidate : List.of(signature.split(","))) {
      String hex = candidate.trim();
      if (hex.startsWith("v1=")) {
        hex = hex.substring(3);
      }
      try {
        if (MessageDigest.isEqual(expected, HexFormat.of().parseHex(hex.toLowerCase()))) {
          return;
        }
      } catch (IllegalArgumentException notHex) {
        // Try the next one.
      }
    }
    throw unauthorized("signature does not match the body");
  }

  static byte[] hmac(String secret, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean constantTimeEquals(String a, String b) {
    return MessageDigest.isEqual(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static ApiException unauthorized(String detail) {
    return new ApiException(
        401, "unauthorized", "Unauthorized", detail, List.<Problem.Violation>of());
  }
}
