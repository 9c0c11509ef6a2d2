package dev.patchops.orchestrator.mirror;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/** Names and labels of mirror namespaces. */
public final class MirrorNames {
  public static final int MAX_NAMESPACE = 63;
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "patchops";
  public static final String TICKET = "patchops.dev/ticket";
  public static final String REVISION = "patchops.dev/revision";
  public static final String RUN = "patchops.dev/run";
  public static final String ATTEMPT = "patchops.dev/attempt";
  public static final String SOURCE_NAMESPACE = "patchops.dev/source-namespace";
  public static final String EXPIRES_AT = "patchops.dev/expires-at";
  public static final String BURN_IN_NODE = "patchops.dev/burn-in-node";
  public static final String MIRROR_SECRET = "patchops.dev/mirror";
  public static final String MIRROR_SECRET_COPY = "copy";

  private static final int HASH_LENGTH = 8;

  private MirrorNames() {}

  /**
   * {@code pt-<ticket>-r<revision>-a<attempt>}, DNS-1123, at most 63 characters; when too long it
   * is cut and ends with a hash of the full name, so two long names never collide by truncation.
   */
  public static String namespace(String ticketId, int revision, int attempt) {
    return named("pt-", ticketId, revision, attempt);
  }

  /** {@code bi-<ticket>-r<revision>-a<attempt>}, under the same rules as a mirror's name. */
  public static String burnInNamespace(String ticketId, int revision, int attempt) {
    return named("bi-", ticketId, revision, attempt);
  }

  private static String named(String prefix, String ticketId, int revision, int attempt) {
    String full = dns1123(prefix + ticketId + "-r" + revision + "-a" + attempt);
    if (full.length() <= MAX_NAMESPACE) {
      return full;
    }
    String hash = sha256(full).substring(0, HASH_LENGTH);
    String head = full.substring(0, MAX_NAMESPACE - HASH_LENGTH - 1).replaceAll("-+$", "");
    return head + "-" + hash;
  }

  /** A label value: at most 63 characters of [a-z0-9A-Z-_.], alphanumeric at both ends. */
  public static String labelValue(String value) {
    String cleaned = value.replaceAll("[^A-Za-z0-9._-]", "-");
    if (cleaned.length() > MAX_NAMESPACE) {
      cleaned =
          cleaned.substring(0, MAX_NAMESPACE - HASH_LENGTH - 1)
              + "-"
              + sha256(value).substring(0, 8);
    }
    return cleaned.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
  }

  private static String dns1123(String name) {
    String lower = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    return lower.replaceAll("-{2,}", "-").replaceAll("^-+", "").replaceAll("-+$", "");
  }

  private static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
