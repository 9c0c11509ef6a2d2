package dev.patchops.audit.trail;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.erdtman.jcs.JsonCanonicalizer;

/**
 * The chain rule, written once for the writer and the verifier: {@code hash = SHA-256(prevHash ||
 * JCS(record))}, where {@code prevHash} is the predecessor's lowercase hex hash as ASCII (64 zeros
 * for the first record) and JCS is RFC 8785 applied to every stored column but the two hashes.
 */
public final class ChainHash {
  public static final String GENESIS = "0".repeat(64);

  private static final JsonFactory JSON = new JsonFactory();

  private ChainHash() {}

  /** RFC 8785 canonical JSON of a record, as hashed. */
  public static String canonical(TrailRecord r) {
    StringWriter out = new StringWriter(256 + length(r.payload()) + length(r.headers()));
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeNumberField("seq", r.seq());
      g.writeStringField("stream", r.stream());
      g.writeStringField("source", r.source());
      g.writeStringField("id", r.eventId());
      g.writeStringField("type", r.type());
      g.writeStringField("specversion", r.specVersion());
      g.writeStringField("subject", r.subject());
      g.writeStringField("ticketid", r.ticketId());
      g.writeStringField("actor", r.actor());
      g.writeStringField("time", instant(r.eventTime()));
      g.writeStringField("ingestedat", instant(r.ingestedAt()));
      g.writeStringField("topic", r.topic());
      g.writeNumberField("partition", r.partition());
      g.writeNumberField("offset", r.offset());
      g.writeFieldName("headers");
      g.writeRawValue(r.headers());
      g.writeFieldName("data");
      if (r.payload() == null) {
        g.writeNull();
      } else {
        g.writeRawValue(r.payload());
      }
      g.writeStringField(
          "raw",
          r.rawPayload() == null ? null : Base64.getEncoder().encodeToString(r.rawPayload()));
      g.writeStringField("error", r.parseError());
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return canonicalize(out.toString());
  }

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
