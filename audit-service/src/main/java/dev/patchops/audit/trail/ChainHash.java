package dev.patchops.audit.trail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.SortedMap;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The chain rule, written once for the writer and the verifier: {@code hash = SHA-256(prevHash ||
 * JCS(record))}, where {@code prevHash} is the predecessor's lowercase hex hash as ASCII (64 zeros
 * for the first record) and JCS is RFC 8785 applied to every stored column but the two hashes.
 */
public final class ChainHash {
  public static final String GENESIS = "0".repeat(64);

  private ChainHash() {}

  /**
   * RFC 8785 canonical JSON of a record, as hashed. The envelope is written directly in canonical
   * form (keys in code-unit order, JCS string escapes, integers only) around the payload and
   * headers, which are stored canonical already; re-parsing the whole record through the JCS
   * library would double the ingest cost for the same bytes. ChainHashTest holds this to the
   * library's output.
   */
  public static String canonical(TrailRecord r) {
    StringBuilder b = new StringBuilder(320 + length(r.payload()) + length(r.headers()));
    b.append('{');
    field(b, "actor", r.actor()).append(',');
    b.append("\"data\":").append(r.payload() == null ? "null" : r.payload()).append(',');
    field(b, "error", r.parseError()).append(',');
    b.append("\"headers\":").append(r.headers()).append(',');
    field(b, "id", r.eventId()).append(',');
    field(b, "ingestedat", instant(r.ingestedAt())).append(',');
    b.append("\"offset\":").append(r.offset()).append(',');
    b.append("\"partition\":").append(r.partition()).append(',');
    field(
            b,
            "raw",
            r.rawPayload() == null ? null : Base64.getEncoder().encodeToString(r.rawPayload()))
        .append(',');
    b.append("\"seq\":").append(r.seq()).append(',');
    field(b, "source", r.source()).append(',');
    field(b, "specversion", r.specVersion()).append(',');
    field(b, "stream", r.stream()).append(',');
    field(b, "subject", r.subject()).append(',');
    field(b, "ticketid", r.ticketId()).append(',');
    field(b, "time", instant(r.eventTime())).append(',');
    field(b, "topic", r.topic()).append(',');
    field(b, "type", r.type());
    return b.append('}').toString();
  }

  /** Canonical JSON of string headers: what {@link TrailRecord#headers()} holds. */
  public static String canonicalHeaders(SortedMap<String, String> headers) {
    StringBuilder b = new StringBuilder(64 * headers.size() + 2).append('{');
    boolean first = true;
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      field(b, header.getKey(), header.getValue());
    }
    return b.append('}').toString();
  }

  private static StringBuilder field(StringBuilder b, String name, String value) {
    string(b, name).append(':');
    return value == null ? b.append("null") : string(b, value);
  }

  /**
   * RFC 8785 section 3.2.2.2: only the mandatory escapes, lowercase hex for the rest below 0x20.
   */
  private static StringBuilder string(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\b' -> b.append("\\b");
        case '\f' -> b.append("\\f");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"');
  }

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** RFC 8785 form of any JSON text; throws {@link IOException} when it is not JSON. */
  public static String canonicalize(String json) {
    try {
      return new JsonCanonicalizer(json).getEncodedString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static String hash(String prevHash, String canonical) {
    MessageDigest sha256 = sha256();
    sha256.update(prevHash.getBytes(StandardCharsets.US_ASCII));
    sha256.update(canonical.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(sha256.digest());
  }

  public static String sha256Hex(byte[] bytes) {
    return HexFormat.of().formatHex(sha256().digest(bytes));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static String instant(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
  }
}
