package dev.patchops.rollout.canary.analysis;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Which Prometheus a rollout may have the service call. The address is parsed, never
 * prefix-matched: {@code http://prometheus:9090@127.0.0.1:18099} starts with an allowed prefix and
 * yet names host 127.0.0.1 with {@code prometheus:9090} as user info. A rollout's address must
 * equal one configured address in scheme, host, port and path, and carry no user info, query or
 * fragment.
 */
public final class PrometheusAddress {
  private PrometheusAddress() {}

  /** A rollout's Prometheus address that is not one of the configured ones; the reason says why. */
  public static final class Refused extends RuntimeException {
    public Refused(String reason) {
      super(reason);
    }
  }

  /**
   * The base URI to call, without a trailing slash.
   *
   * @throws Refused when {@code candidate} is not exactly one of {@code allowed}
   */
  public static URI require(String candidate, List<String> allowed) {
    URI uri = parse(candidate);
    for (String a : allowed) {
      URI ok;
      try {
        ok = parse(a);
      } catch (Refused e) {
        continue; // a bad configured entry admits nothing
      }
      if (ok.getScheme().equals(uri.getScheme())
          && ok.getHost().equals(uri.getHost())
          && ok.getPort() == uri.getPort()
          && ok.getPath().equals(uri.getPath())) {
        return uri;
      }
    }
    throw new Refused("must be exactly one of the configured Prometheus addresses " + allowed);
  }

  /** Scheme and host lower-cased, the default port made explicit, a trailing slash dropped. */
  static URI parse(String s) {
    if (s == null || s.isBlank()) {
      throw new Refused("is required");
    }
    URI uri;
    try {
      uri = new URI(s.strip());
    } catch (URISyntaxException e) {
      throw new Refused("is not a URI: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new Refused("must be an http or https URL");
    }
    // getRawAuthority sees an '@' even where the parser fell back to a registry-based authority.
    if (uri.getRawUserInfo() != null
        || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
      throw new Refused("must not carry user info (an '@' in the address)");
    }
    if (uri.getHost() == null) {
      throw new Refused("has no host that parses");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new Refused("must not carry a query or fragment");
    }
    int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(scheme) ? 443 : 80;
    String path = Objects.requireNonNullElse(uri.getRawPath(), "").replaceAll("/+$", "");
    try {
      return new URI(
          scheme + "://" + hostOf(uri.getHost().toLowerCase(Locale.ROOT)) + ":" + port + path);
    } catch (URISyntaxException e) {
      throw new Refused("is not a URI: " + e.getReason());
    }
  }

  private static String hostOf(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
