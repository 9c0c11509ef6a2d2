package dev.patchops.localstack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.devstack.JwtIssuer;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The brief's story against a running suite, through its public interfaces only: the Alertmanager
 * hook, the services' REST APIs with a token per person, and the sandbox's failure switches. Each
 * step is a method, so the end-to-end test walks the same path and checks more at every stop.
 */
public final class Demo {
  static final String NAMESPACE = Sandbox.NAMESPACE;
  static final String SUITE = "shop-e2e-tests";
  static final String SUITE_IMAGE = image(SUITE, "1");
  static final Duration WAIT = Duration.ofSeconds(120);

  /** Where a rollout stops moving by itself: promoted (watching), or finished either way. */
  static final Set<String> ENDED = Set.of("WATCHING", "SUCCEEDED", "REVERTED", "FAILED", "REFUSED");

  /** Where the suite is and how to sign in: what a user of the running stack has too. */
  record Endpoints(
      String ticket,
      String rollout,
      String audit,
      String control,
      String hookToken,
      JwtIssuer jwt) {
    static Endpoints local(String host, int basePort, String hookToken, JwtIssuer jwt) {
      String base = "http://" + host + ":";
      return new Endpoints(
          base + LocalStack.port(basePort, "ticket-service"),
          base + LocalStack.port(basePort, "rollout-service"),
          base + LocalStack.port(basePort, "audit-service"),
          base + LocalStack.controlPort(basePort),
          hookToken,
          jwt);
    }
  }

  /** Prints the story; a test may print it too, or stay quiet. */
  interface Narrator {
    void step(int number, String title);

    void say(String line);
  }

  static final Narrator CONSOLE =
      new Narrator() {
        @Override
        public void step(int number, String title) {
          System.out.printf(
              "%n[%s] %d. %s%n", Instant.now().toString().substring(11, 23), number, title);
        }

        @Override
        public void say(String line) {
          System.out.println("     " + line);
        }
      };

  private final Endpoints at;
  private final Narrator out;
  private final HttpClient http = HttpClient.newHttpClient();
  private final String run = Long.toHexString(System.currentTimeMillis());
  private final String author = "erin";
  private final String approver = "alice";
  private Duration poll = Duration.ofMillis(100);

  Demo(Endpoints at, Narrator out) {
    this.at = at;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    try {
      run();
    } catch (DemoException e) {
      System.err.println("patchops demo: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void run() throws Exception {
    Path home =
        Path.of(
            System.getenv()
                .getOrDefault(
                    "PATCHOPS_HOME",
                    Path.of(System.getProperty("patchops.repo", "."))
                        .resolve(".local")
                        .toString()));
    int basePort = Integer.parseInt(System.getenv().getOrDefault("PATCHOPS_PORT_BASE", "8081"));
    Path keys = home.resolve("keys");
    if (!Files.exists(keys.resolve("jwt-private.pem"))) {
      System.err.println(
          "patchops demo: no suite found in " + home + "; start it with ./patchops run");
      System.exit(2);
    }
    Endpoints at =
        Endpoints.local(
            "127.0.0.1",
            basePort,
            Files.readString(keys.resolve("alertmanager.token")).strip(),
            JwtIssuer.load(keys.resolve("jwt-private.pem"), keys.resolve("jwt-public.pem")));
    Demo demo = new Demo(at, CONSOLE);
    demo.requireRunning();
    int exit = 0;
    try {
      demo.story("checkout");
    } catch (DemoException e) {
      System.err.println();
      System.err.println("patchops demo: " + e.getMessage());
      exit = 1;
    } catch (IOException | RuntimeException e) {
      System.err.println();
      System.err.println("patchops demo: stopped: " + e);
      exit = 1;
    } finally {
      try {
        // Whatever happened, the sandbox is left without injected failures.
        demo.clearFaults();
      } catch (IOException | RuntimeException e) {
        System.err.println("patchops demo: could not clear the sandbox's failures: " + e);
      }
    }
    System.exit(exit);
  }

  /** A step that did not end the way the story says, in words a user can act on. */
  static class DemoException extends RuntimeException {
    DemoException(String message) {
      super(message);
    }
  }

  /**
   * A 503 or 429: the service asks to be asked again (a database outage, a verification already
   * walking the chain), so a poll goes on.
   */
  static final class Unavailable extends DemoException {
    Unavailable(String message) {
      super(message);
    }
  }

  /** The whole story, for one workload of the sandbox's shop; returns the ticket. */
  String story(String workload) throws Exception {
    out.step(1, "An Alertmanager alert fires for " + NAMESPACE + "/" + workload);
    String ticket = alert(workload);
    out.say("ticket " + ticket + " opened, state " + ticketState(ticket));

    out.step(2, "Diagnosis and root cause are recorded");
    diagnose(ticket, workload);
    out.say("state " + ticketState(ticket) + ": patches may now be proposed");

    out.step(3, "Revision 1 is tested in a mirror of production, and fails");
    injectTestFailure(
        SUITE,
        "shop.CheckoutIT.refundsAfterCapture",
        "expected HTTP 200 from /refunds but was 502");
    testRevision(ticket, workload, 1);
    clearFaults();

    out.step(4, "Revision 2 is tested, and passes");
    int rev2 = testRevision(ticket, workload, 2);

    out.step(5, "Someone other than the author approves revision 2");
    // The sandbox will crash this image's canary: a failure the tests could not see.
    injectPodFault(image(workload, run + "-2"), "crashloop");
    approve(ticket, rev2);

    out.step(6, "The canary starts, fails, and is reverted to the checkpoint");
    JsonNode reverted =
        awaitRolloutEndedIn(
            ticket, rev2, Set.of("REVERTED"), "the failing canary was not reverted");
    out.say("reason: " + reverted.path("revertReason").asText());
    JsonNode completed = revertCompleted(ticket, reverted.path("id").asText());
    out.say(
        "revert time: "
            + completed.path("durationMs").asLong()
            + " ms from the failure seen to the checkpoint verified");
    out.say(
        completed.path("restored").isEmpty()
            ? "the stable Deployment was never changed: canary removed, spec and configuration"
                + " verified against the checkpoint"
            : "restored: " + completed.path("restored"));
    awaitTicketState(ticket, "CHANGES_REQUESTED");
    out.say("ticket back to CHANGES_REQUESTED");
    clearFaults();

    out.step(7, "Revision 3 is tested, approved and promoted");
    int rev3 = propose(ticket, workload, 3);
    awaitTested(ticket, rev3);
    approve(ticket, rev3);
    JsonNode promoted =
        awaitRolloutEndedIn(
            ticket, rev3, Set.of("WATCHING", "SUCCEEDED"), "revision 3 was not promoted");
    awaitTicketState(ticket, "MONITORING");
    out.say("ticket MONITORING until " + promoted.path("watchUntil").asText());

    out.step(8, "The watch window passes and the ticket is resolved");
    awaitTicketState(ticket, "RESOLVED");
    out.say("ticket RESOLVED");

    out.step(9, "The change record, and the audit chain");
    close(ticket);
    out.say("ticket " + ticketState(ticket) + " with its post-implementation review note");
    JsonNode record = awaitCompleteChangeRecord(ticket);
    out.say(
        "change record: "
            + record.path("timeline").size()
            + " timeline entries, "
            + record.path("revisions").size()
            + " revisions, "
            + record.path("rollouts").size()
            + " rollouts, outcome "
            + record.path("outcome").path("state").asText(record.path("outcome").toString())
            + ", nothing missing");
    JsonNode verify = awaitChainVerified();
    out.say(
        "audit chain valid: "
            + verify.path("valid").asBoolean()
            + " ("
            + verify.path("recordsChecked").asLong()
            + " records checked)");
    out.say(at.audit() + "/api/v1/tickets/" + ticket + "/change-record?format=html");
    out.say("(send an auditor's token: the page is not public)");
    return ticket;
  }

  // ---- the steps, each through a public interface ----

  void requireRunning() {
    for (String url : List.of(at.ticket(), at.rollout(), at.audit())) {
      try {
        int status =
            send(HttpRequest.newBuilder(URI.create(url + "/q/openapi")).GET(), null).statusCode();
        if (status != 200) {
          throw new DemoException(url + " is not ready (" + status + "); is ./patchops run up?");
        }
      } catch (IOException e) {
        throw new DemoException(
            "nothing answers at " + url + ": start the suite with ./patchops run");
      }
    }
    try {
      send(HttpRequest.newBuilder(URI.create(at.control() + "/faults")).GET(), null);
    } catch (IOException e) {
      throw new DemoException(
          "the sandbox's failure controls do not answer at "
              + at.control()
              + ": the demo needs the sandbox cluster, not a real one");
    }
  }

  /** Fires an alert as Alertmanager would, and returns the ticket it opened. */
  String alert(String workload) throws IOException {
    JsonNode open =
        get(
            at.ticket()
                + "/api/v1/tickets?namespace="
                + NAMESPACE
                + "&workload="
                + workload
                + "&size=200",
            "sam",
            "sre");
    for (JsonNode t : open.path("items")) {
      if (!Set.of("RESOLVED", "CLOSED").contains(t.path("state").asText())) {
        throw new DemoException(
            "ticket "
                + t.path("id").asText()
                + " is still "
                + t.path("state").asText()
                + " for "
                + NAMESPACE
                + "/"
                + workload
                + ": the alert would join it. Close it, or start afresh with ./patchops run --reset");
      }
    }
    return fire(workload).get(0).asText();
  }

  /**
   * Posts a firing alert for the workload to the Alertmanager hook, as Alertmanager would, and
   * returns the tickets it reached: a new one, or the open one it joins.
   */
  JsonNode fire(String workload) throws IOException {
    return fire(workload, Instant.now().minusSeconds(300));
  }

  /**
   * Like {@link #fire(String)}, with the time the alert began: a rollout is reverted only by an
   * alert that began after it did (the rollout-service's AlertRules), so a benchmark that reverts a
   * promoted patch fires with now.
   */
  JsonNode fire(String workload, Instant startsAt) throws IOException {
    ObjectNode alert = ContractJson.mapper().createObjectNode();
    alert.put("status", "firing");
    alert
        .putObject("labels")
        .put("alertname", "HighErrorRate")
        .put("severity", "critical")
        .put("namespace", NAMESPACE)
        .put("deployment", workload);
    alert
        .putObject("annotations")
        .put("summary", workload + " returns 5xx for 4% of requests")
        .put("description", "error ratio above 2% for 5 minutes");
    alert.put("startsAt", startsAt.toString());
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("fingerprint", fingerprint(workload + run));
    alert.put("generatorURL", "http://prometheus.example/graph?g0.expr=errors");
    ObjectNode payload = ContractJson.mapper().createObjectNode();
    payload.put("version", "4");
    payload.put("groupKey", "{}:{alertname=\"HighErrorRate\"}");
    payload.put("truncatedAlerts", 0);
    payload.put("status", "firing");
    payload.put("receiver", "patchops");
    payload.putObject("groupLabels").put("alertname", "HighErrorRate");
    payload.putObject("commonLabels").put("alertname", "HighErrorRate");
    payload.putObject("commonAnnotations");
    payload.put("externalURL", "http://alertmanager.example");
    payload.putArray("alerts").add(alert);
    HttpResponse<String> response =
        send(
            HttpRequest.newBuilder(URI.create(at.ticket() + "/hooks/alertmanager"))
                .header("Authorization", "Bearer " + at.hookToken())
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload.toString())),
            null);
    JsonNode body = expect(response, 202, "the alert hook");
    if (body.path("tickets").isEmpty()) {
      throw new DemoException("the alert opened no ticket: " + body);
    }
    return body.path("tickets");
  }

  void diagnose(String ticket, String workload) throws IOException {
    ObjectNode diagnostic = ContractJson.mapper().createObjectNode();
    diagnostic.put("kind", "LOG_QUERY");
    diagnostic.put("uri", "https://logs.example/q?app=" + workload + "&level=error");
    diagnostic.put("capturedAt", Instant.now().minusSeconds(60).toString());
    diagnostic.put("note", "502s from the payment client since 09:12");
    String evidence =
        post(ticketUrl(ticket) + "/diagnostics", author, "engineer", diagnostic, 201)
            .path("id")
            .asText();
    out.say("diagnostic " + evidence + " attached by " + author);
    ObjectNode rootCause = ContractJson.mapper().createObjectNode();
    rootCause.put("method", "FIVE_WHYS");
    rootCause
        .putArray("whys")
        .add(workload + " returns 502")
        .add("the payment client times out")
        .add("its connection pool is exhausted")
        .add("connections leak on the refund path")
        .add("the refund path never closes its response body");
    rootCause.put("rootCause", "the refund path leaks HTTP connections to payments");
    rootCause.putArray("contributingFactors").add("pool size lowered in the last release");
    rootCause.putArray("affectedComponents").add(workload).add("payments");
    rootCause.putArray("evidenceRefs").add(evidence);
    put(ticketUrl(ticket) + "/root-cause", author, "engineer", rootCause, 200);
    out.say("root cause (five whys): the refund path leaks HTTP connections to payments");
  }

  /** Proposes the next revision; {@code attempt} only tells the demo's images apart. */
  int propose(String ticket, String workload, int attempt) throws IOException {
    ObjectNode body = ContractJson.mapper().createObjectNode();
    body.putObject("vcs")
        .put("repositoryUrl", "https://git.example/shop/" + workload + ".git")
        .put("commitSha", sha1(workload + run + attempt))
        .put("pullRequestUrl", "https://git.example/shop/" + workload + "/pull/" + (100 + attempt));
    body.put("image", image(workload, run + "-" + attempt));
    ArrayNode targets = body.putArray("targets");
    targets
        .addObject()
        .put("container", "app")
        .putObject("workload")
        .put("namespace", NAMESPACE)
        .put("kind", "Deployment")
        .put("name", workload);
    body.put("changeWhat", "close the refund response body; attempt " + attempt);
    body.put("changeWhy", "the leaked connections exhaust the payment client's pool");
    body.putArray("testSuites")
        .addObject()
        .put("name", "e2e")
        .put("image", SUITE_IMAGE)
        .put("timeoutSeconds", 120)
        .putArray("command")
        .add("./run-e2e.sh");
    ArrayNode steps = body.putArray("canarySteps");
    steps.addObject().put("weight", 25).put("pauseSeconds", 3);
    steps.addObject().put("weight", 100).put("pauseSeconds", 0);
    JsonNode revision = post(ticketUrl(ticket) + "/revisions", author, "engineer", body, 201);
    out.say(
        "revision "
            + revision.path("revision").asInt()
            + " proposed by "
            + author
            + ": "
            + revision.path("image").asText());
    return revision.path("revision").asInt();
  }

  /** Waits for the test-orchestrator's verdict on a revision, as the ticket-service shows it. */
  JsonNode awaitTested(String ticket, int revision) throws Exception {
    JsonNode view =
        await(
            "revision " + revision + " to be tested",
            () -> get(ticketUrl(ticket) + "/revisions/" + revision, author, "engineer"),
            v -> !v.path("testOutcome").isMissingNode() && !v.path("testOutcome").isNull());
    out.say(
        "tested in mirror namespace "
            + view.path("testNamespace").asText()
            + ": "
            + view.path("testOutcome").asText()
            + "; ticket "
            + ticketState(ticket));
    return view;
  }

  void printAnalytics(JsonNode revision) {
    JsonNode analytics = revision.path("testAnalytics");
    out.say(
        "analytics: "
            + analytics.path("durationMs").asLong()
            + " ms in all, mirror ready in "
            + analytics.path("readinessMs").asText()
            + " ms, "
            + analytics.path("restarts").asInt()
            + " restarts");
    for (JsonNode suite : analytics.path("suites")) {
      out.say(
          "  suite "
              + suite.path("name").asText()
              + ": "
              + suite.path("outcome").asText()
              + ", "
              + suite.path("tests").asInt()
              + " tests, "
              + suite.path("failures").asInt()
              + " failed, "
              + suite.path("durationMs").asLong()
              + " ms");
    }
    for (JsonNode failure : analytics.path("failureMessages")) {
      out.say("  failure: " + failure.asText());
    }
    if (analytics.hasNonNull("changesSinceLastAttempt")) {
      out.say(
          "  since the last attempt: "
              + analytics.path("changesSinceLastAttempt").path("summary").asText());
    }
  }

  /** The author tries first and is refused; then the approver approves. */
  void approve(String ticket, int revision) throws IOException {
    HttpResponse<String> self =
        send(
            HttpRequest.newBuilder(
                    URI.create(ticketUrl(ticket) + "/revisions/" + revision + "/approve"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"emergency\":false}")),
            token(author, "engineer", "approver"));
    JsonNode refusal = expect(self, 403, "the author's own approval");
    out.say(
        author
            + " (the author) tries to approve: "
            + self.statusCode()
            + " "
            + refusal.path("detail").asText());
    ObjectNode body = ContractJson.mapper().createObjectNode().put("emergency", false);
    post(
        ticketUrl(ticket) + "/revisions/" + revision + "/approve", approver, "approver", body, 200);
    out.say(approver + " approves revision " + revision + "; ticket " + ticketState(ticket));
  }

  /** Proposes a revision, waits for its tests and prints their analytics. */
  private int testRevision(String ticket, String workload, int attempt) throws Exception {
    int revision = propose(ticket, workload, attempt);
    printAnalytics(awaitTested(ticket, revision));
    return revision;
  }

  /** Waits for the revision's rollout to end, in one of {@code expected} or else fails. */
  private JsonNode awaitRolloutEndedIn(
      String ticket, int revision, Set<String> expected, String failure) throws Exception {
    JsonNode rollout = awaitRollout(ticket, revision, ENDED);
    String phase = rollout.path("phase").asText();
    if (!expected.contains(phase)) {
      throw new DemoException(failure + ": " + rollout);
    }
    out.say("rollout " + rollout.path("id").asText() + " " + phase);
    return rollout;
  }

  JsonNode awaitRollout(String ticket, int revision, Set<String> phases) throws Exception {
    return await(
        "the rollout of revision " + revision + " to reach " + phases,
        () -> rollout(ticket, revision),
        r -> phases.contains(r.path("phase").asText()));
  }

  /** The rollout of a revision, whatever its phase; empty until the rollout-service has one. */
  JsonNode rollout(String ticket, int revision) throws IOException {
    for (JsonNode r :
        get(at.rollout() + "/api/v1/rollouts?ticketId=" + enc(ticket), "sam", "sre")) {
      if (r.path("revision").asInt() == revision) {
        return r;
      }
    }
    return ContractJson.mapper().createObjectNode();
  }

  /** The revert's own account, from the audit trail. */
  JsonNode revertCompleted(String ticket, String rolloutId) throws Exception {
    return await(
        "the revert of " + rolloutId + " in the audit trail",
        () -> {
          for (JsonNode e : auditEvents(ticket, EventType.REVERT_COMPLETED)) {
            if (rolloutId.equals(e.path("data").path("rolloutId").asText())) {
              return e.path("data");
            }
          }
          return ContractJson.mapper().createObjectNode();
        },
        d -> d.has("durationMs"));
  }

  JsonNode auditEvents(String ticket, EventType type) throws IOException {
    return get(
            at.audit()
                + "/api/v1/audit/events?ticketId="
                + enc(ticket)
                + "&type="
                + enc(type.type())
                + "&limit=1000",
            "ada",
            "auditor")
        .path("items");
  }

  String ticketState(String ticket) throws IOException {
    return ticketView(ticket).path("state").asText();
  }

  JsonNode ticketView(String ticket) throws IOException {
    return get(ticketUrl(ticket), "ada", "auditor");
  }

  void awaitTicketState(String ticket, String state) throws Exception {
    await(
        "ticket " + ticket + " to be " + state,
        () -> ticketView(ticket),
        t -> state.equals(t.path("state").asText()));
  }

  /** Verified once the audit-service has caught up with every event so far. */
  JsonNode awaitChainVerified() throws Exception {
    return await(
        "the audit chain to verify",
        () -> get(at.audit() + "/api/v1/audit/verify", "ada", "auditor"),
        v -> v.path("valid").asBoolean() && v.path("recordsChecked").asLong() > 0);
  }

  /** Complete once the audit-service has every step, down to the review note. */
  JsonNode awaitCompleteChangeRecord(String ticket) throws Exception {
    return await(
        "the change record of " + ticket + " to be complete",
        () -> {
          HttpResponse<String> response =
              send(
                  HttpRequest.newBuilder(URI.create(changeRecordUrl(ticket))).GET(),
                  token("ada", "auditor"));
          // The trail is filled from Kafka: a ticket it has not read yet is no record, so far.
          return response.statusCode() == 404
              ? ContractJson.mapper().createObjectNode()
              : expect(response, 200, "GET " + changeRecordUrl(ticket));
        },
        r ->
            r.path("completeness").path("missing").isArray()
                && r.path("completeness").path("missing").isEmpty());
  }

  JsonNode changeRecord(String ticket) throws IOException {
    return get(changeRecordUrl(ticket), "ada", "auditor");
  }

  private String changeRecordUrl(String ticket) {
    return at.audit() + "/api/v1/tickets/" + enc(ticket) + "/change-record?format=json";
  }

  void close(String ticket) throws IOException {
    ObjectNode body =
        ContractJson.mapper()
            .createObjectNode()
            .put(
                "note",
                "post-implementation review: fix verified in production, pool leak test added");
    post(ticketUrl(ticket) + "/close", "sam", "sre", body, 200);
  }

  // ---- the sandbox's failure switches ----

  void injectTestFailure(String suiteImage, String test, String message) throws IOException {
    ObjectNode body = ContractJson.mapper().createObjectNode().put("image", suiteImage);
    body.putObject("failing").put(test, message);
    control("POST", "/faults/tests", body);
    out.say("sandbox: test Jobs of " + suiteImage + " will fail " + test);
  }

  /** The suite Jobs pass as usual, each after running for {@code duration}. */
  void slowSuites(java.time.Duration duration) throws IOException {
    dev.patchops.sandbox.SimulatedKubelet.JobScript passing =
        dev.patchops.sandbox.SandboxControl.suite(java.util.Map.of());
    control(
        "POST",
        "/faults/jobs",
        ContractJson.mapper()
            .createObjectNode()
            .put("image", SUITE_IMAGE)
            .put("exitCode", passing.exitCode())
            .put("durationMs", duration.toMillis())
            .put("log", passing.log()));
    out.say("sandbox: test Jobs of " + SUITE_IMAGE + " will run " + duration.toSeconds() + " s");
  }

  void injectPodFault(String image, String behavior) throws IOException {
    control(
        "POST",
        "/faults/pods",
        ContractJson.mapper().createObjectNode().put("image", image).put("behavior", behavior));
    out.say(
        "sandbox: Pods of "
            + image.substring(image.lastIndexOf('/') + 1, image.indexOf('@') + 15)
            + "... will "
            + behavior);
  }

  void clearFaults() throws IOException {
    control("DELETE", "/faults", null);
  }

  private void control(String method, String path, JsonNode body) throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(at.control() + path))
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body.toString()));
    expect(send(request, null), 200, "the sandbox control " + path);
  }

  // ---- plumbing ----

  @FunctionalInterface
  interface Read {
    JsonNode get() throws Exception;
  }

  /** A benchmark polls faster, so its own reaction time stays out of the services' numbers. */
  Demo polling(Duration interval) {
    this.poll = interval;
    return this;
  }

  /** Polls every 100 ms by default: the demo shows the services' speed, not its own. */
  JsonNode await(String what, Read read, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      try {
        last = read.get();
      } catch (Unavailable e) {
        Thread.sleep(Math.max(poll.toMillis(), 1000));
        continue;
      }
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(poll.toMillis());
    }
    throw new DemoException(
        "waited " + WAIT.toSeconds() + " s for " + what + "; last seen: " + last);
  }

  String auditUrl() {
    return at.audit();
  }

  private String ticketUrl(String ticket) {
    return at.ticket() + "/api/v1/tickets/" + enc(ticket);
  }

  String token(String user, String... roles) {
    return at.jwt().mint(user, List.of(roles), Duration.ofMinutes(30));
  }

  JsonNode get(String url, String user, String role) throws IOException {
    return expect(
        send(HttpRequest.newBuilder(URI.create(url)).GET(), token(user, role)), 200, "GET " + url);
  }

  JsonNode post(String url, String user, String role, JsonNode body, int status)
      throws IOException {
    return expect(
        send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
            token(user, role)),
        status,
        "POST " + url);
  }

  JsonNode put(String url, String user, String role, JsonNode body, int status) throws IOException {
    return expect(
        send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body.toString())),
            token(user, role)),
        status,
        "PUT " + url);
  }

  HttpResponse<String> send(HttpRequest.Builder request, String bearer) throws IOException {
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    try {
      return http.send(
          request.timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  static JsonNode expect(HttpResponse<String> response, int status, String what)
      throws IOException {
    if (response.statusCode() != status) {
      String message =
          what
              + " answered "
              + response.statusCode()
              + " (expected "
              + status
              + "): "
              + response.body();
      throw response.statusCode() == 503 || response.statusCode() == 429
          ? new Unavailable(message)
          : new DemoException(message);
    }
    return response.body().isEmpty()
        ? ContractJson.mapper().createObjectNode()
        : ContractJson.mapper().readTree(response.body());
  }

  private static String enc(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** An image pinned by digest; the digest is made up, the sandbox runs anything. */
  static String image(String name, String version) {
    return "registry.example/shop/" + name + "@sha256:" + sha256(name + ":" + version);
  }

  static String sha256(String text) {
    return digest("SHA-256", text);
  }

  static String sha1(String text) {
    return digest("SHA-1", text);
  }

  private static String fingerprint(String text) {
    return sha256(text).substring(0, 16);
  }

  private static String digest(String algorithm, String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance(algorithm).digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
