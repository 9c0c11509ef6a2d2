package dev.patchops.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.devstack.JwtIssuer;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A token is PatchOps' only if it was issued for PatchOps (its audience) and grants PatchOps roles
 * (groups with the PatchOps prefix): the identity provider is usually shared with other
 * applications, whose {@code admin} must not be ours.
 */
@QuarkusTest
@PatchOpsTest
class TokenScopeTest {
  private static final String WIDGET =
      "{\"name\":\"scoped\",\"ticketId\":\"TCK-9\",\"severity\":\"SEV3\"}";

  private static String token(List<String> groups, String audience) {
    return "Bearer " + TestInfra.issuer().mintRaw("eve", groups, audience, Duration.ofMinutes(5));
  }

  @Test
  void aTokenForAnotherAudienceIsRefused() {
    post(token(List.of("patchops-engineer"), "grafana")).statusCode(401);
  }

  @Test
  void aTokenWithoutAudienceIsRefused() {
    post(token(List.of("patchops-engineer"), null)).statusCode(401);
  }

  @Test
  void theRightAudienceAndPrefixedGroupAreAccepted() {
    post(token(List.of("patchops-engineer"), JwtIssuer.AUDIENCE)).statusCode(201);
  }

  @Test
  void anotherApplicationsGroupsGrantNothing() {
    post(token(List.of("engineer", "admin", "grafana-engineer"), JwtIssuer.AUDIENCE))
        .statusCode(403)
        .body("status", equalTo(403));
    given()
        .header("Authorization", token(List.of("admin"), JwtIssuer.AUDIENCE))
        .get("/api/v1/widgets/count")
        .then()
        .statusCode(403);
  }

  @Test
  void theMemberRoleComesFromARoleNotFromTheToken() {
    given()
        .header("Authorization", token(List.of("patchops-member"), JwtIssuer.AUDIENCE))
        .get("/api/v1/widgets/count")
        .then()
        .statusCode(403);
    given()
        .header("Authorization", TestInfra.bearer("rita", "reporter"))
        .get("/api/v1/widgets/count")
        .then()
        .statusCode(200);
  }

  private static io.restassured.response.ValidatableResponse post(String authorization) {
    return given()
        .header("Authorization", authorization)
        .contentType(ContentType.JSON)
        .body(WIDGET)
        .post("/api/v1/widgets")
        .then();
  }
}
