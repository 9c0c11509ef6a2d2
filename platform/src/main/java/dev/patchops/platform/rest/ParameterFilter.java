package dev.patchops.platform.rest;

import dev.patchops.platform.Echo;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Path and query parameters are identifiers, names and filters: a control character in one is never
 * meant, and NUL in particular cannot reach PostgreSQL, which refuses it in text as a server error.
 * Refused here with the parameter's name, before any resource method sees it.
 */
public class ParameterFilter {
  static final String REASON = "must not contain control characters";

  @ServerRequestFilter
  public Response refuseControlCharacters(UriInfo uri) {
    String bad = firstBad(uri.getPathParameters(true));
    if (bad == null) {
      bad = firstBad(uri.getQueryParameters(true));
    }
    if (bad == null) {
      return null;
    }
    return ProblemMappers.respond(
        400,
        "invalid-request",
        "Invalid request",
        bad + ": " + REASON,
        uri,
        List.of(new Problem.Violation(bad, REASON)));
  }

  /** The name of the first parameter with a control character in its name or a value, or null. */
  static String firstBad(MultivaluedMap<String, String> parameters) {
    for (Map.Entry<String, List<String>> p : parameters.entrySet()) {
      if (hasControl(p.getKey())) {
        return Echo.cap(p.getKey());
      }
      for (String value : p.getValue()) {
        if (hasControl(value)) {
          return p.getKey();
        }
      }
    }
    return null;
  }

  static boolean hasControl(String s) {
    if (s == null) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
