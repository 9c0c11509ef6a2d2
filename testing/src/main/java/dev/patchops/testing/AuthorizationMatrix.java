package dev.patchops.testing;

import static io.restassured.RestAssured.given;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.devstack.JwtIssuer;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * Every operation of a service's own OpenAPI document, called with no token, an expired token, a
 * token signed by another key, a token for another audience, and a token of each PatchOps role. The
 * roles an operation admits come from the same document (its security requirement, which Quarkus
 * derives from {@code @RolesAllowed}), so a new endpoint is in the matrix the day it is written,
 * and one without any role fails it unless it is declared public.
 */
public final class AuthorizationMatrix {
  /** Held by every role: an operation that admits it admits them all. */
  private static final String MEMBER = "patchops-member";

  private final List<String> roles;
  private final Set<String> publicOperations;
  private final List<String> failures = new ArrayList<>();
  private int requests;

  /**
   * @param roles every PatchOps role
   * @param publicOperations "METHOD /path" of the operations that take no JWT on purpose (hooks)
   */
  public AuthorizationMatrix(List<String> roles, Set<String> publicOperations) {
    this.roles = roles;
    this.publicOperations = publicOperations;
  }

  /** What went wrong, one line per refusal that should have been or not; empty when all held. */
  public List<String> run() throws Exception {
    JsonNode document =
        new ObjectMapper()
            .readTree(given().accept("application/json").get("/q/openapi").asString());
    JsonNode defaultSecurity = document.path("security");
    Tokens tokens = tokens();
    Set<String> seenPublic = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = document.path("paths").fields();
        paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
        Map.Entry<String, JsonNode> op = ops.next();
        String method = op.getKey().toUpperCase(java.util.Locale.ROOT);
        if (!Set.of("GET", "POST", "PUT", "PATCH", "DELETE").contains(method)) {
          continue;
        }
        String name = method + " " + path.getKey();
        JsonNode security =
            op.getValue().has("security") ? op.getValue().get("security") : defaultSecurity;
        Set<String> admitted = admittedRoles(security);
        if (admitted == null) {
          if (publicOperations.contains(name)) {
            seenPublic.add(name);
          } else {
            failures.add(name + ": no role required, and not declared public");
          }
          continue;
        }
        check(tokens, name, method, url(path.getKey(), op.getValue(), path.getValue()), admitted);
      }
    }
    Set<String> missing = new TreeSet<>(publicOperations);
    missing.removeAll(seenPublic);
    if (!missing.isEmpty()) {
      failures.add("declared public but not in the document (or now secured): " + missing);
    }
    if (requests == 0) {
      failures.add("the document lists no secured operation");
    }
    return failures;
  }

  public int requests() {
    return requests;
  }

  /** The roles the requirement admits; null when the operation requires none. */
  static Set<String> admittedRoles(JsonNode security) {
    if (security == null || !security.isArray() || security.isEmpty()) {
      return null;
    }
    Set<String> scopes = new TreeSet<>();
    for (JsonNode requirement : security) {
      requirement.fields().forEachRemaining(e -> e.getValue().forEach(s -> scopes.add(s.asText())));
    }
    return scopes;
  }

  /** The tokens every operation is called with, minted once: an RSA key pair costs. */
  private record Tokens(Map<String, String> strangers, Map<String, String> byRole) {}

  private Tokens tokens() {
    JwtIssuer issuer = TestInfra.issuer();
    Map<String, String> strangers =
        Map.of(
            "no token", "",
            "expired token", bearer(issuer.mint("matrix", roles, Duration.ofMinutes(-10))),
            "token signed by another key",
                bearer(JwtIssuer.generate().mint("matrix", roles, Duration.ofMinutes(5))),
            "token for another audience",
                bearer(
                    issuer.mintRaw(
                        "matrix",
                        roles.stream().map(r -> JwtIssuer.GROUP_PREFIX + r).toList(),
                        "another-app",
                        Duration.ofMinutes(5))));
    Map<String, String> byRole = new java.util.LinkedHashMap<>();
    for (String role : roles) {
      byRole.put(
          role, bearer(issuer.mint("matrix-" + role, List.of(role), Duration.ofMinutes(15))));
    }
    return new Tokens(strangers, byRole);
  }

  private void check(Tokens tokens, String name, String method, String url, Set<String> admitted) {
    for (Map.Entry<String, String> stranger : tokens.strangers().entrySet()) {
      expect(name + " with " + stranger.getKey(), call(method, url, stranger.getValue()), 401);
    }
    for (Map.Entry<String, String> role : tokens.byRole().entrySet()) {
      Response response = call(method, url, role.getValue());
      boolean allowed = admitted.contains(role.getKey()) || admitted.contains(MEMBER);
      if (allowed) {
        if (response.statusCode() == 401
            || response.statusCode() == 403
            || response.statusCode() >= 500) {
          failures.add(
              name + " as " + role.getKey() + ": " + response.statusCode() + ", expected admitted");
        }
      } else {
        expect(name + " as " + role.getKey(), response, 403);
      }
    }
  }

  private void expect(String what, Response response, int status) {
    if (response.statusCode() != status) {
      failures.add(what + ": " + response.statusCode() + ", expected " + status);
    } else if (!String.valueOf(response.contentType()).startsWith("application/problem+json")) {
      failures.add(what + ": " + status + " without problem+json (" + response.contentType() + ")");
    }
  }

  private Response call(String method, String url, String authorization) {
    requests++;
    RequestSpecification request = given().redirects().follow(false);
    if (!authorization.isEmpty()) {
      request.header("Authorization", authorization);
    }
    if (!method.equals("GET") && !method.equals("DELETE")) {
      request.contentType("application/json").body("{}");
    }
    return request.request(method, url);
  }

  private static String bearer(String token) {
    return "Bearer " + token;
  }

  /** The path with each parameter given a value of its declared type. */
  static String url(String template, JsonNode operation, JsonNode pathItem) {
    String url = template;
    List<JsonNode> parameters = new ArrayList<>();
    pathItem.path("parameters").forEach(parameters::add);
    operation.path("parameters").forEach(parameters::add);
    for (JsonNode parameter : parameters) {
      if (!"path".equals(parameter.path("in").asText())) {
        continue;
      }
      JsonNode schema = parameter.path("schema");
      String value =
          switch (schema.path("format").asText(schema.path("type").asText())) {
            case "uuid" -> UUID.randomUUID().toString();
            case "integer", "int32", "int64", "number" -> "1";
            default -> "TCK-1";
          };
      url = url.replace("{" + parameter.path("name").asText() + "}", value);
    }
    return url.replaceAll("\\{[^}]+}", "TCK-1");
  }
}
