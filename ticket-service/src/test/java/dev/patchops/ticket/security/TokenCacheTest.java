package dev.patchops.ticket.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.jwt.auth.principal.JWTParser;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** A cached verification never lets through a token that verification would refuse. */
@QuarkusTest
@PatchOpsTest
class TokenCacheTest {
  @Inject JWTParser parser;

  @Test
  void requestAuthenticationGoesThroughTheCache() {
    assertThat(parser).isInstanceOf(CachingJwtParser.class);
    int before = ((CachingJwtParser) parser).cachedTokens();
    get(TestInfra.bearer("fresh-user", "auditor"), 200);
    assertThat(((CachingJwtParser) parser).cachedTokens()).isGreaterThan(before);
  }

  @Test
  void aTamperedCopyOfACachedTokenIsRefused() {
    String bearer = TestInfra.bearer("cache-user", "reporter");
    get(bearer, 200);
    get(bearer, 200);

    String[] parts = bearer.substring("Bearer ".length()).split("\\.");
    String badSignature =
        parts[0]
            + "."
            + parts[1]
            + "."
            + (parts[2].charAt(0) == 'A' ? 'B' : 'A')
            + parts[2].substring(1);
    get("Bearer " + badSignature, 401);

    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    String promoted = claims.replace("\"patchops-reporter\"", "\"patchops-admin\"");
    assertThat(promoted).as("the claims were changed").isNotEqualTo(claims);
    String asAdmin =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(promoted.getBytes(StandardCharsets.UTF_8));
    get("Bearer " + parts[0] + "." + asAdmin + "." + parts[2], 401);
  }

  @Test
  void rolesComeFromTheTokenPresentedNotFromAnEarlierOne() {
    get(TestInfra.bearer("same-user", "admin"), 200);
    given()
        .header("Authorization", TestInfra.bearer("same-user", "reporter"))
        .contentType(ContentType.JSON)
        .body("{\"id\":\"x1\",\"kind\":\"DISK\",\"assignee\":\"hank\"}")
        .post("/api/v1/equipment")
        .then()
        .statusCode(403);
  }

  private static void get(String bearer, int status) {
    given().header("Authorization", bearer).get("/api/v1/tickets").then().statusCode(status);
  }
}
