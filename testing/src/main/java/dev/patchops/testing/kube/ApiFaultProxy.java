package dev.patchops.testing.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * The network between a service under test and the real API server, where an overloaded or failing
 * API server can be played: every request is forwarded as it is (HTTP watches stream through; a
 * WebSocket upgrade gets a plain answer, so clients fall back to them), unless a fault registered
 * by a test matches its method and path; then the fault's Status is the answer, as many times as
 * asked. Test infrastructure only, on loopback; faults are registered over {@code /__faults}
 * because tests live in another class loader.
 */
final class ApiFaultProxy implements AutoCloseable {
  static final String CONTROL = "/__faults";
  private static final Set<String> HOP_HEADERS =
      Set.of(
          "connection",
          "content-length",
          "expect",
          "host",
          "upgrade",
          "transfer-encoding",
          "keep-alive",
          "te",
          "trailer",
          "proxy-connection",
          "http2-settings");
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Fault(
      String method, String path, int code, String body, AtomicInteger left, AtomicInteger served) {
    boolean matches(String m, String p) {
      return method.equalsIgnoreCase(m) && path.equals(p);
    }

    /** Takes one answer, atomically: two racing requests must not both take the last one. */
    boolean claim() {
      return left.getAndUpdate(n -> n > 0 ? n - 1 : n) != 0;
    }
  }

  private final HttpServer server;
  private final HttpClient upstream;
  private final String target;
  private final List<Fault> faults = new CopyOnWriteArrayList<>();

  private ApiFaultProxy(HttpServer server, HttpClient upstream, String target) {
    this.server = server;
    this.upstream = upstream;
    this.target = target;
  }

  static ApiFaultProxy start(String target, SSLContext trust) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
      ApiFaultProxy proxy =
          new ApiFaultProxy(
              server,
              HttpClient.newBuilder()
                  .sslContext(trust)
                  .version(HttpClient.Version.HTTP_1_1)
                  .build(),
              target);
      server.createContext("/", proxy::handle);
      // Watches hold a thread each for as long as they run.
      server.setExecutor(
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "api-fault-proxy");
                t.setDaemon(true);
                return t;
              }));
      server.start();
      return proxy;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      if (path.equals(CONTROL)) {
        control(exchange);
        return;
      }
      String upgrade = exchange.getRequestHeaders().getFirst("Upgrade");
      if (upgrade != null && upgrade.equalsIgnoreCase("websocket")) {
        // No tunnel here. A plain answer with no upgrade fails the handshake at once, and fabric8
        // then watches over plain HTTP, as behind any proxy that does not pass WebSockets (a 503
        // makes it retry for about 20 s first).
        exchange.sendResponseHeaders(200, -1);
        return;
      }
      for (Fault fault : faults) {
        if (fault.matches(exchange.getRequestMethod(), path) && fault.claim()) {
          fault.served().incrementAndGet();
          byte[] body = fault.body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(fault.code, body.length);
          exchange.getResponseBody().write(body);
          return;
        }
      }
      forward(exchange);
    }
  }

  private void control(HttpExchange exchange) throws IOException {
    if ("DELETE".equals(exchange.getRequestMethod())) {
      faults.clear();
    } else if ("GET".equals(exchange.getRequestMethod())) {
      // How many answers each fault gave: a test proves its fault was met, not just registered.
      var served = JSON.createArrayNode();
      for (Fault fault : faults) {
        served
            .addObject()
            .put("method", fault.method())
            .put("path", fault.path())
            .put("served", fault.served().get());
      }
      byte[] body = JSON.writeValueAsBytes(served);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      return;
    } else {
      JsonNode fault = JSON.readTree(exchange.getRequestBody());
      int times = fault.path("times").asInt(0);
      faults.add(
          new Fault(
              fault.path("method").asText(),
              fault.path("path").asText(),
              fault.path("code").asInt(),
              fault.path("body").asText(),
              new AtomicInteger(times == 0 ? -1 : times),
              new AtomicInteger()));
    }
    exchange.sendResponseHeaders(204, -1);
  }

  private void forward(HttpExchange exchange) throws IOException {
    byte[] requestBody = exchange.getRequestBody().readAllBytes();
    String query = exchange.getRequestURI().getRawQuery();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    target
                        + exchange.getRequestURI().getRawPath()
                        + (query == null ? "" : "?" + query)))
            .method(
                exchange.getRequestMethod(),
                requestBody.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(requestBody));
    exchange
        .getRequestHeaders()
        .forEach(
            (name, values) -> {
              if (!HOP_HEADERS.contains(name.toLowerCase())) {
                values.forEach(v -> request.header(name, v));
              }
            });
    HttpResponse<InputStream> response;
    try {
      response = upstream.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.sendResponseHeaders(503, -1);
      return;
    } catch (IOException e) {
      exchange.sendResponseHeaders(502, -1);
      return;
    }
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!HOP_HEADERS.contains(name.toLowerCase()) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
              }
            });
    int status = response.statusCode();
    boolean empty = "HEAD".equals(exchange.getRequestMethod()) || status == 204 || status == 304;
    exchange.sendResponseHeaders(status, empty ? -1 : 0);
    try (InputStream in = response.body()) {
      if (empty) {
        return;
      }
      OutputStream out = exchange.getResponseBody();
      byte[] buffer = new byte[16384];
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        // A watch event must reach the client when it happens, not when a buffer fills.
        out.flush();
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
