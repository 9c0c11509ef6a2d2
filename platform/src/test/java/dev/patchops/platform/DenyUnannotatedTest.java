package dev.patchops.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * {@code quarkus.security.jaxrs.deny-unannotated-endpoints=true} (the platform's shared default):
 * an endpoint without a role annotation is closed to everyone, with or without a valid token, while
 * an annotated one beside it answers its role; health stays open for the probes.
 */
@QuarkusTest
@PatchOpsTest
class DenyUnannotatedTest {
  @Test
  void anEndpointWithoutARoleAnnotationIsClosedToEveryRole() {
    for (String role :
        new String[] {"reporter", "engineer", "approver", "sre", "auditor", "admin"}) {
      given()
          .header("Authorization", TestInfra.bearer("pat", role))
          .get("/api/v1/forgotten")
          .then()
          .statusCode(403)
          .contentType("application/problem+json");
    }
    given().get("/api/v1/forgotten").then().statusCode(401);
  }

  @Test
  void theAnnotatedEndpointBesideItAnswersItsRoleOnly() {
    given()
        .header("Authorization", TestInfra.bearer("al", "auditor"))
        .get("/api/v1/forgotten/annotated")
        .then()
        .statusCode(200)
        .body(equalTo("allowed"));
    given()
        .header("Authorization", TestInfra.bearer("eve", "engineer"))
        .get("/api/v1/forgotten/annotated")
        .then()
        .statusCode(403);
    given().get("/q/health/live").then().statusCode(200);
  }
}
