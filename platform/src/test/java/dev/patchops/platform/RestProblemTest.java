package dev.patchops.platform;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class RestProblemTest {
  private static final String GOOD =
      "{\"name\":\"cache stampede\",\"ticketId\":\"TCK-7\",\"severity\":\"SEV2\"}";

  @Test
  void missingTokenIs401ProblemJson() {
    given()
        .contentType(ContentType.JSON)
        .body(GOOD)
        .post("/api/v1/widgets")
        .then()
        .statusCode(401)
        .contentType("application/problem+json")
        .header("WWW-Authenticate", startsWith("Bearer"))
        .body("status", equalTo(401))
        .body("type", equalTo("https://patchops.dev/problems/unauthorized"));
  }

  @Test
  void tokenSignedByAnotherKeyIs401() {
    String forged =
        dev.patchops.devstack.JwtIssuer.generate()
            .mint("mallory", java.util.List.of("engineer"), java.time.Duration.ofMinutes(5));
    given()
        .header("Authorization", "Bearer " + forged)
        .contentType(ContentType.JSON)
        .body(GOOD)
        .post("/api/v1/widgets")
        .then()
        .statusCode(401)
        .contentType("application/problem+json");
  }

  @Test
  void wrongRoleIs403ProblemJson() {
    given()
        .header("Authorization", TestInfra.bearer("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body(GOOD)
        .post("/api/v1/widgets")
        .then()
        .statusCode(403)
        .contentType("application/problem+json")
        .body("status", equalTo(403));
  }

  @Test
  void invalidFieldsAreNamedWithTheirReasons() {
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body("{\"name\":\"\",\"ticketId\":\"nope\",\"severity\":\"SEV2\"}")
        .post("/api/v1/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations.field", hasItems("name", "ticketId"))
        .body(
            "violations.find { it.field == 'ticketId' }.reason", equalTo("must look like TCK-123"))
        .body(not(containsString("Exception")))
        .body(not(containsString("dev.patchops")));
  }

  @Test
  void wrongEnumValueNamesTheFieldAndTheAllowedValues() {
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body("{\"name\":\"x\",\"ticketId\":\"TCK-1\",\"severity\":\"SEV9\"}")
        .post("/api/v1/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("severity"))
        .body("violations[0].reason", containsString("SEV1, SEV2, SEV3, SEV4"))
        .body(not(containsString("Exception")));
  }

  @Test
  void malformedJsonIs400WithoutInternals() {
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body("{\"name\": ")
        .post("/api/v1/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("type", equalTo("https://patchops.dev/problems/malformed-json"))
        .body(not(containsString("jackson")));
  }

  @Test
  void missingBodyIs400() {
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .contentType(ContentType.JSON)
        .post("/api/v1/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  @Test
  void unknownResourceIs404ProblemJsonAndGoodRequestIs201() {
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .get("/api/v1/widgets/" + UUID.randomUUID())
        .then()
        .statusCode(404)
        .contentType("application/problem+json")
        .body("detail", containsString("does not exist"));
    String location =
        given()
            .header("Authorization", TestInfra.bearer("erin", "engineer"))
            .contentType(ContentType.JSON)
            .body(GOOD)
            .post("/api/v1/widgets")
            .then()
            .statusCode(201)
            .body("ticketId", equalTo("TCK-7"))
            .extract()
            .header("Location");
    given()
        .header("Authorization", TestInfra.bearer("ada", "auditor"))
        .get(location)
        .then()
        .statusCode(200)
        .body("name", equalTo("cache stampede"));
  }

  @Test
  void aNulByteInAPathOrQueryParameterIs400NamingTheParameter() {
    for (String[] c :
        new String[][] {
          {"/api/v1/widgets/by-name/a%00b", "name"}, {"/api/v1/widgets?ticketId=%00", "ticketId"}
        }) {
      given()
          .header("Authorization", TestInfra.bearer("erin", "engineer"))
          .urlEncodingEnabled(false)
          .get(c[0])
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("violations[0].field", equalTo(c[1]))
          .body("violations[0].reason", equalTo("must not contain control characters"));
    }
    // The same parameters without the byte are served: the refusal is the character's.
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .get("/api/v1/widgets/by-name/ab")
        .then()
        .statusCode(200);
  }

  @Test
  void aNulCharacterInABodyIs400NamingTheField() {
    given()
        .header("Authorization", TestInfra.bearer("erin", "engineer"))
        .contentType(ContentType.JSON)
        .body("{\"name\":\"cache\\u0000stampede\",\"ticketId\":\"TCK-7\",\"severity\":\"SEV2\"}")
        .post("/api/v1/widgets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("name"))
        .body("violations[0].reason", equalTo("must not contain the NUL character (U+0000)"));
  }

  @Test
  void aValueOfTheWrongJsonTypeIs400NotCoerced() {
    for (String name : new String[] {"12345", "true", "1.5"}) {
      given()
          .header("Authorization", TestInfra.bearer("erin", "engineer"))
          .contentType(ContentType.JSON)
          .body("{\"name\":" + name + ",\"ticketId\":\"TCK-7\",\"severity\":\"SEV2\"}")
          .post("/api/v1/widgets")
          .then()
          .statusCode(400)
          .contentType("application/problem+json")
          .body("violations[0].field", equalTo("name"))
          .body("violations[0].reason", containsString("as a string"));
    }
  }

  @Test
  void aRefusedValueIsRepeatedShortOnce() {
    String huge = "X".repeat(5_000_000);
    String body =
        given()
            .header("Authorization", TestInfra.bearer("erin", "engineer"))
            .contentType(ContentType.JSON)
            .body("{\"name\":\"x\",\"ticketId\":\"TCK-1\",\"severity\":\"" + huge + "\"}")
            .post("/api/v1/widgets")
            .then()
            .statusCode(400)
            .contentType("application/problem+json")
            .body("violations[0].field", equalTo("severity"))
            .body("violations[0].reason", containsString("(5000000 characters)"))
            .extract()
            .asString();
    org.assertj.core.api.Assertions.assertThat(body.length()).isLessThan(1_000);
  }

  @Test
  void healthIsUpAndOpenWhileTheApiIsNot() {
    given().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
    given()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("patchops_outbox_published"));
  }
}
