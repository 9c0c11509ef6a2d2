package dev.patchops.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.JunitLog;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The sandbox's failure switches, so a demo or a test can make things break the way they break in a
 * cluster, without a line of it in any service: the services only see Pods that crash and Jobs that
 * fail. Served on loopback only, next to the sandbox API.
 *
 * <ul>
 *   <li>{@code POST /faults/pods {"image": "...", "behavior": "crashloop|unready|image-pull"}}:
 *       Pods whose image contains the fragment behave so.
 *   <li>{@code POST /faults/tests {"image": "...", "failing": {"Class.test": "message"}}}: test
 *       Jobs whose image contains the fragment exit 1 with a JUnit report naming those failures.
 *   <li>{@code DELETE /faults}: everything works again. {@code GET /faults}: what is injected.
 * </ul>
 */
public final class SandboxControl implements AutoCloseable {
  private final HttpServer server;
  private final SimulatedKubelet kubelet;
  private final SimulatedKubelet.JobScript defaultJob;

  private SandboxControl(
      HttpServer server, SimulatedKubelet kubelet, SimulatedKubelet.JobScript defaultJob) {
    this.server = server;
    this.kubelet = kubelet;
    this.defaultJob = defaultJob;
  }

  /** The local stack's controls: a Job passes the shop's suite unless told otherwise. */
  public static SandboxControl start(int port, SimulatedKubelet kubelet) throws IOException {
    return start(port, kubelet, suite(Map.of()));
  }

  /**
   * Controls on {@code port} (0: any free one); {@code defaultJob} is what a Job runs unless told.
   */
  public static SandboxControl start(
      int port, SimulatedKubelet kubelet, SimulatedKubelet.JobScript defaultJob)
      throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    SandboxControl control = new SandboxControl(server, kubelet.byDefault(defaultJob), defaultJob);
    server.createContext("/faults", control::handle);
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "sandbox-control");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return control;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      String method = exchange.getRequestMethod();
      try {
        switch (method + " " + path) {
          case "GET /faults" -> {}
          case "DELETE /faults" -> kubelet.forgetAll().byDefault(defaultJob);
          case "POST /faults/pods" -> {
            JsonNode body = body(exchange);
            String image = required(body, "image");
            SimulatedKubelet.Behavior behavior;
            try {
              behavior =
                  SimulatedKubelet.Behavior.valueOf(
                      required(body, "behavior").trim().toUpperCase().replace('-', '_'));
            } catch (IllegalArgumentException e) {
              throw new BadRequest(
                  "behavior", "must be one of crashloop, unready, image-pull, ready");
            }
            kubelet.behave(image, behavior);
          }
          case "POST /faults/tests" -> {
            JsonNode body = body(exchange);
            String image = required(body, "image");
            JsonNode failing = body.get("failing");
            if (failing == null || !failing.isObject() || failing.isEmpty()) {
              throw new BadRequest("failing", "must map at least one Class.test to its message");
            }
            Map<String, String> tests = new java.util.LinkedHashMap<>();
            failing.fields().forEachRemaining(f -> tests.put(f.getKey(), f.getValue().asText()));
            kubelet.script(image, suite(tests));
          }
          case "POST /faults/jobs" -> {
            JsonNode body = body(exchange);
            kubelet.script(required(body, "image"), script(body));
          }
          case "POST /faults/jobs/default" -> kubelet.byDefault(script(body(exchange)));
          default -> throw new BadRequest("path", "no " + method + " " + path + " here");
        }
        // Every change answers with what is now injected, as GET does.
        reply(exchange, 200, ContractJson.mapper().valueToTree(kubelet.injected()));
      } catch (BadRequest e) {
        ObjectNode problem = ContractJson.mapper().createObjectNode();
        problem.put("title", "Bad request");
        problem.put("status", 400);
        problem.put("detail", e.field + " " + e.getMessage());
        problem
            .putArray("violations")
            .addObject()
            .put("field", e.field)
            .put("reason", e.getMessage());
        reply(exchange, 400, problem);
      }
    }
  }

  /**
   * A Job's script as given: {@code exitCode}, {@code durationMs} and the {@code log} it prints.
   */
  private static SimulatedKubelet.JobScript script(JsonNode body) throws BadRequest {
    JsonNode exit = body.get("exitCode");
    JsonNode duration = body.get("durationMs");
    JsonNode log = body.get("log");
    if (exit == null || !exit.isInt()) {
      throw new BadRequest("exitCode", "must be an integer");
    }
    if (duration == null || !duration.canConvertToLong() || duration.asLong() < 0) {
      throw new BadRequest("durationMs", "must be a number of milliseconds, 0 or more");
    }
    if (log == null || !log.isTextual()) {
      throw new BadRequest("log", "must be text");
    }
    return new SimulatedKubelet.JobScript(
        exit.asInt(), Duration.ofMillis(duration.asLong()), log.asText());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The shop's end-to-end tests, as every suite image of the sandbox reports them. */
  public static final List<String> SHOP_TESTS =
      List.of(
          "shop.CheckoutIT.paysWithCard",
          "shop.CheckoutIT.refundsAfterCapture",
          "shop.CatalogIT.listsProducts",
          "shop.PaymentsIT.declinesExpiredCard");

  /**
   * A suite run with a JUnit report between the markers: the shop's tests, the given ones failed
   * with their messages (and added if the shop has no such test); exit 1 if any failed.
   */
  public static SimulatedKubelet.JobScript suite(Map<String, String> failing) {
    java.util.LinkedHashSet<String> tests = new java.util.LinkedHashSet<>(SHOP_TESTS);
    tests.addAll(failing.keySet());
    StringBuilder log =
        new StringBuilder("running " + tests.size() + " tests\n" + JunitLog.BEGIN + "\n");
    log.append("<testsuite name='shop-e2e' tests='")
        .append(tests.size())
        .append("' failures='")
        .append(failing.size())
        .append("'>");
    for (String test : tests) {
      int dot = test.lastIndexOf('.');
      log.append("<testcase classname='")
          .append(xml(dot > 0 ? test.substring(0, dot) : "shop"))
          .append("' name='")
          .append(xml(test.substring(dot + 1)))
          .append("' time='0.2'>");
      if (failing.containsKey(test)) {
        log.append("<failure message='").append(xml(failing.get(test))).append("'/>");
      }
      log.append("</testcase>");
    }
    log.append("</testsuite>\n").append(JunitLog.END).append('\n');
    failing.forEach(
        (test, message) ->
            log.append("FAILED ").append(test).append(": ").append(message).append('\n'));
    log.append(failing.isEmpty() ? "all passed\n" : failing.size() + " failed\n");
    return new SimulatedKubelet.JobScript(
        failing.isEmpty() ? 0 : 1, Duration.ofMillis(300), log.toString());
  }

  private static String xml(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace("'", "&apos;");
  }

  private static JsonNode body(HttpExchange exchange) throws BadRequest {
    try (InputStream in = exchange.getRequestBody()) {
      JsonNode node = ContractJson.mapper().readTree(in.readNBytes(4 * 1024 * 1024));
      if (node == null || !node.isObject()) {
        throw new BadRequest("body", "must be a JSON object");
      }
      return node;
    } catch (IOException e) {
      throw new BadRequest("body", "is not JSON");
    }
  }

  private static String required(JsonNode body, String field) throws BadRequest {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.asText().isBlank()) {
      throw new BadRequest(field, "is required");
    }
    return value.asText();
  }

  private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = ContractJson.mapper().writeValueAsBytes(body);
    exchange
        .getResponseHeaders()
        .set("Content-Type", status >= 400 ? "application/problem+json" : "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() {
    server.stop(0);
  }

  private static final class BadRequest extends Exception {
    final String field;

    BadRequest(String field, String message) {
      super(message);
      this.field = field;
    }
  }
}
