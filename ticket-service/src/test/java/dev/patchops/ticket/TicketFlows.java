package dev.patchops.ticket;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.testing.TestInfra;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.time.Duration;
import java.time.Instant;

/** Drives the ticket API as the people in the process would. */
final class TicketFlows {
  static final String NAMESPACE = "shop";
  static final String DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

  private TicketFlows() {}

  static String as(String user, String... roles) {
    return TestInfra.bearer(user, roles);
  }

  static String openSoftwareTicket(String title) {
    return openSoftwareTicket(title, "checkout");
  }

  static String openSoftwareTicket(String title, String deployment) {
    return given()
        .header("Authorization", as("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body(
            """
            {"kind":"SOFTWARE","title":"%s","severity":"SEV2",
             "workload":{"namespace":"shop","kind":"Deployment","name":"%s"}}
            """
                .formatted(title, deployment))
        .post("/api/v1/tickets")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  static String addDiagnostic(String ticketId) {
    return addDiagnostic(ticketId, "erin");
  }

  static String addDiagnostic(String ticketId, String engineer) {
    return given()
        .header("Authorization", as(engineer, "engineer"))
        .contentType(ContentType.JSON)
        .body(
            """
            {"kind":"LOG_QUERY","uri":"https://logs.example.com/q?app=checkout",
             "capturedAt":"%s","note":"502s since 09:12"}
            """
                .formatted(Instant.now().minusSeconds(60)))
        .post("/api/v1/tickets/" + ticketId + "/diagnostics")
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  static void recordRootCause(String ticketId, String diagnosticId) {
    recordRootCause(ticketId, diagnosticId, "erin");
  }

  static void recordRootCause(String ticketId, String diagnosticId, String engineer) {
    given()
        .header("Authorization", as(engineer, "engineer"))
        .contentType(ContentType.JSON)
        .body(
            """
            {"method":"FIVE_WHYS",
             "whys":["checkout returns 502","pods restart","OOMKilled","cache unbounded","no eviction"],
             "rootCause":"unbounded in-memory cache in the checkout service",
             "contributingFactors":["memory limit lowered last week"],
             "affectedComponents":["checkout"],
             "evidenceRefs":["%s"]}
            """
                .formatted(diagnosticId))
        .put("/api/v1/tickets/" + ticketId + "/root-cause")
        .then()
        .statusCode(200);
  }

  static String ticketWithRootCause(String title) {
    String ticketId = openSoftwareTicket(title);
    recordRootCause(ticketId, addDiagnostic(ticketId));
    return ticketId;
  }

  /** The image every revision of {@link #revisionBody} proposes. */
  static final String IMAGE = "registry.example.com/shop/checkout@sha256:" + DIGEST;

  static String revisionBody(String commitSha) {
    return """
        {"vcs":{"repositoryUrl":"https://git.example.com/shop/checkout.git",
                "commitSha":"%s","pullRequestUrl":"https://git.example.com/shop/checkout/pull/42"},
         "image":"registry.example.com/shop/checkout@sha256:%s",
         "targets":[{"workload":{"namespace":"shop","kind":"Deployment","name":"checkout"},
                     "container":"app"}],
         "changeWhat":"bound the cache to 10k entries with LRU eviction",
         "changeWhy":"the unbounded cache exhausted memory",
         "testSuites":[{"name":"smoke","image":"registry.example.com/shop/checkout-tests:1",
                        "command":["./smoke.sh"],"timeoutSeconds":300}],
         "canarySteps":[{"weight":20,"pauseSeconds":30},{"weight":100,"pauseSeconds":0}]}
        """
        .formatted(commitSha, DIGEST);
  }

  static ValidatableResponse propose(String ticketId, String author, String commitSha) {
    return given()
        .header("Authorization", as(author, "engineer"))
        .contentType(ContentType.JSON)
        .body(revisionBody(commitSha))
        .post("/api/v1/tickets/" + ticketId + "/revisions")
        .then();
  }

  static ValidatableResponse approve(
      String ticketId, int revision, String user, String role, boolean emergency, String reason) {
    String body =
        reason == null
            ? "{\"emergency\":" + emergency + "}"
            : "{\"emergency\":" + emergency + ",\"reason\":\"" + reason + "\"}";
    return given()
        .header("Authorization", as(user, role))
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/tickets/" + ticketId + "/revisions/" + revision + "/approve")
        .then();
  }

  static String state(String ticketId) {
    return given()
        .header("Authorization", as("ada", "auditor"))
        .get("/api/v1/tickets/" + ticketId)
        .then()
        .statusCode(200)
        .extract()
        .path("state");
  }

  static void awaitState(String ticketId, String expected) {
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> expected.equals(stateOnceOpened(ticketId)));
  }

  /** A ticket opened by an event may not exist yet: 404 means "not yet", anything else fails. */
  private static String stateOnceOpened(String ticketId) {
    var response =
        given()
            .header("Authorization", as("ada", "auditor"))
            .get("/api/v1/tickets/" + ticketId)
            .then()
            .statusCode(anyOf(equalTo(200), equalTo(404)))
            .extract();
    return response.statusCode() == 404 ? null : response.path("state");
  }

  static String sha(int n) {
    return String.format("%040x", n);
  }
}
