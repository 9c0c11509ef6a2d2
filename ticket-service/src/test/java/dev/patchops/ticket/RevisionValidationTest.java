package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static dev.patchops.ticket.TicketFlows.revisionBody;
import static dev.patchops.ticket.TicketFlows.sha;
import static dev.patchops.ticket.TicketFlows.ticketWithRootCause;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each invalid field of a patch revision gets a problem response that names it. */
@QuarkusTest
@PatchOpsTest
class RevisionValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static String ticketId;

  /** One ticket for all cases; created on first use, once the HTTP port is known. */
  private static synchronized String ticket() {
    if (ticketId == null) {
      ticketId = ticketWithRootCause("validation target");
    }
    return ticketId;
  }

  static Stream<Arguments> invalidRevisions() {
    return Stream.of(
        bad("vcs", r -> r.remove("vcs")),
        bad("vcs.repositoryUrl", r -> vcs(r).put("repositoryUrl", "ftp://example.com/repo")),
        bad("vcs.commitSha", r -> vcs(r).put("commitSha", "abc123")),
        bad("vcs.commitSha", r -> vcs(r).put("commitSha", sha(1).toUpperCase().replace('0', 'A'))),
        bad("vcs.pullRequestUrl", r -> vcs(r).put("pullRequestUrl", "not a url")),
        bad("image", r -> r.put("image", "registry.example.com/shop/checkout:latest")),
        bad("image", r -> r.put("image", "registry.example.com/shop/checkout@sha256:1234")),
        bad("targets", r -> r.putArray("targets")),
        bad("targets[0].container", r -> target(r).put("container", "App_Container")),
        bad(
            "targets[0].workload.kind",
            r -> ((ObjectNode) target(r).get("workload")).put("kind", "Pod")),
        bad(
            "targets[0].workload.namespace",
            r -> ((ObjectNode) target(r).get("workload")).put("namespace", "payments")),
        bad("changeWhat", r -> r.put("changeWhat", " ")),
        bad("changeWhy", r -> r.remove("changeWhy")),
        bad("testSuites", r -> r.putArray("testSuites")),
        bad("testSuites[0].command", r -> suite(r).putArray("command")),
        bad("testSuites[0].timeoutSeconds", r -> suite(r).put("timeoutSeconds", 0)),
        bad("testSuites[0].name", r -> suite(r).put("name", "Smoke Tests")),
        bad("canarySteps[0].weight", r -> step(r, 0).put("weight", 101)),
        bad("canarySteps[1].weight", r -> step(r, 1).put("weight", 10)),
        bad("canarySteps[1].weight", r -> step(r, 1).put("weight", 90)),
        bad("canarySteps[0].pauseSeconds", r -> step(r, 0).put("pauseSeconds", -1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRevisions")
  void invalidFieldIsNamed(String field, Consumer<ObjectNode> breakIt) throws Exception {
    ObjectNode body = (ObjectNode) JSON.readTree(revisionBody(sha(77)));
    breakIt.accept(body);
    given()
        .header("Authorization", as("dev-dana", "engineer"))
        .contentType(ContentType.JSON)
        .body(body.toString())
        .post("/api/v1/tickets/" + ticket() + "/revisions")
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations.field", hasItem(field))
        .body(not(containsString("Exception")));
  }

  private static Arguments bad(String field, Consumer<ObjectNode> breakIt) {
    return Arguments.of(field, breakIt);
  }

  private static ObjectNode vcs(ObjectNode r) {
    return (ObjectNode) r.get("vcs");
  }

  private static ObjectNode target(ObjectNode r) {
    return (ObjectNode) r.get("targets").get(0);
  }

  private static ObjectNode suite(ObjectNode r) {
    return (ObjectNode) r.get("testSuites").get(0);
  }

  private static ObjectNode step(ObjectNode r, int i) {
    return (ObjectNode) r.get("canarySteps").get(i);
  }
}
