package dev.patchops.ticket;

import static io.restassured.RestAssured.given;

import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint, every role, and no token. An allowed role must get past security (any status but
 * 401/403, since the request may still be refused by validation or a gate); a refused role gets
 * 403, no token 401.
 */
@QuarkusTest
@PatchOpsTest
class AuthorizationMatrixTest {
  private static final List<String> ROLES =
      List.of("reporter", "engineer", "approver", "sre", "auditor", "admin");
  private static final Set<String> ANY = Set.copyOf(ROLES);

  record Endpoint(String method, String path, String body, Set<String> allowed) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  static final List<Endpoint> ENDPOINTS =
      List.of(
          new Endpoint(
              "POST", "/api/v1/tickets", "{}", Set.of("reporter", "engineer", "sre", "admin")),
          new Endpoint("GET", "/api/v1/tickets", null, ANY),
          new Endpoint("GET", "/api/v1/tickets/TCK-0", null, ANY),
          new Endpoint(
              "POST", "/api/v1/tickets/TCK-0/close", "{}", Set.of("engineer", "sre", "admin")),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/reopen",
              "{\"reason\":\"x\"}",
              Set.of("engineer", "sre", "admin")),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/diagnostics",
              "{}",
              Set.of("engineer", "sre", "admin")),
          new Endpoint("GET", "/api/v1/tickets/TCK-0/diagnostics", null, ANY),
          new Endpoint(
              "PUT", "/api/v1/tickets/TCK-0/root-cause", "{}", Set.of("engineer", "sre", "admin")),
          new Endpoint("GET", "/api/v1/tickets/TCK-0/root-cause", null, ANY),
          new Endpoint(
              "POST", "/api/v1/tickets/TCK-0/revisions", "{}", Set.of("engineer", "admin")),
          new Endpoint("GET", "/api/v1/tickets/TCK-0/revisions", null, ANY),
          new Endpoint("GET", "/api/v1/tickets/TCK-0/revisions/1", null, ANY),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/revisions/1/approve",
              "{\"emergency\":false}",
              Set.of("approver", "sre", "admin")),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/revisions/1/reject",
              "{\"reason\":\"x\"}",
              Set.of("approver", "admin")),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/revisions/1/review",
              "{\"accepted\":true,\"findings\":\"x\"}",
              Set.of("approver", "admin")),
          new Endpoint(
              "POST", "/api/v1/tickets/TCK-0/hardware-fixes", "{}", Set.of("engineer", "admin")),
          new Endpoint("GET", "/api/v1/tickets/TCK-0/hardware-fixes", null, ANY),
          new Endpoint("GET", "/api/v1/tickets/TCK-0/hardware-fixes/1", null, ANY),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/hardware-fixes/1/approve",
              null,
              Set.of("approver", "admin")),
          new Endpoint(
              "POST",
              "/api/v1/tickets/TCK-0/manual-release",
              "{\"reason\":\"x\"}",
              Set.of("engineer", "admin")),
          new Endpoint("POST", "/api/v1/freeze-windows", "{}", Set.of("admin")),
          new Endpoint("GET", "/api/v1/freeze-windows", null, ANY),
          new Endpoint("POST", "/api/v1/equipment", "{}", Set.of("admin")),
          new Endpoint("GET", "/api/v1/equipment", null, ANY),
          new Endpoint("GET", "/api/v1/equipment/none", null, ANY),
          new Endpoint(
              "PUT", "/api/v1/equipment/none/assignee", "{\"assignee\":\"x\"}", Set.of("admin")),
          new Endpoint(
              "DELETE",
              "/api/v1/freeze-windows/00000000-0000-0000-0000-000000000000",
              null,
              Set.of("admin")));

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (Endpoint endpoint : ENDPOINTS) {
      cases.add(Arguments.of(endpoint, null));
      // A valid token from our issuer that carries no PatchOps role is refused everywhere.
      cases.add(Arguments.of(endpoint, "guest"));
      for (String role : ROLES) {
        cases.add(Arguments.of(endpoint, role));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} as {1}")
  @MethodSource("matrix")
  void statusMatchesTheRole(Endpoint endpoint, String role) {
    RequestSpecification request = given().contentType(ContentType.JSON);
    if (role != null) {
      request.header("Authorization", TestInfra.bearer("user-" + role, role));
    }
    if (endpoint.body() != null) {
      request.body(endpoint.body());
    }
    int status = request.request(endpoint.method(), endpoint.path()).then().extract().statusCode();
    if (role == null) {
      org.assertj.core.api.Assertions.assertThat(status).isEqualTo(401);
    } else if (role.equals("guest")) {
      org.assertj.core.api.Assertions.assertThat(status)
          .as("%s refused for a stranger", endpoint)
          .isEqualTo(403);
    } else if (endpoint.allowed().contains(role)) {
      org.assertj.core.api.Assertions.assertThat(status)
          .as("%s allowed for %s", endpoint, role)
          .isNotIn(401, 403)
          .isLessThan(500);
    } else {
      org.assertj.core.api.Assertions.assertThat(status)
          .as("%s refused for %s", endpoint, role)
          .isEqualTo(403);
    }
  }
}
