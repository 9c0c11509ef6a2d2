package dev.patchops.rollout;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One local HTTP server for what the rollout-service calls out to: a webhook receiver that records
 * every notification, and a Prometheus HTTP API that answers with recorded responses per query.
 */
public class LocalHttp implements QuarkusTestResourceLifecycleManager {
  public static final List<String> NOTIFICATIONS = new CopyOnWriteArrayList<>();

  /** Recorded Prometheus responses by the query string they answer. */
  public static final Map<String, String> PROMETHEUS = new ConcurrentHashMap<>();

  /**
   * Answers a query gives in turn, the last one for good: a test scripts a Prometheus that fails
   * and then recovers. {@link #FAIL} stands for an HTTP 503.
   */
  public static final Map<String, java.util.Deque<String>> PROMETHEUS_SEQUENCES =
      new ConcurrentHashMap<>();

  public static final String FAIL = "<503>";

  /** How often each query was asked. */
  public static final Map<String, java.util.concurrent.atomic.AtomicInteger> PROMETHEUS_ASKED =
      new ConcurrentHashMap<>();

  private static HttpServer server;

  /** An instant-vector answer without any series: the query matched nothing. */
  public static String noSeries() {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}";
  }

  public static String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** A recorded instant-vector answer with one series of {@code value}. */
  public static String vector(String value) {
    return "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},"
        + "\"value\":[1767225600.0,\""
        + value
        + "\"]}]}}";
  }

  @Override
  public Map<String, String> start() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    server.createContext(
        "/webhook",
        exchange -> {
          NOTIFICATIONS.add(
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.createContext(
        "/api/v1/query",
        exchange -> {
          String raw = exchange.getRequestURI().getRawQuery();
          String query =
              java.net.URLDecoder.decode(
                  raw.substring(raw.indexOf("query=") + 6), StandardCharsets.UTF_8);
          PROMETHEUS_ASKED
              .computeIfAbsent(query, q -> new java.util.concurrent.atomic.AtomicInteger())
              .incrementAndGet();
          String body = PROMETHEUS.get(query);
          java.util.Deque<String> sequence = PROMETHEUS_SEQUENCES.get(query);
          if (sequence != null) {
            synchronized (sequence) {
              body = sequence.size() > 1 ? sequence.poll() : sequence.peek();
            }
          }
          int status = body == null ? 400 : FAIL.equals(body) ? 503 : 200;
          byte[] bytes =
              (status == 400
                      ? "{\"status\":\"error\",\"error\":\"unknown query\"}"
                      : status == 503 ? "unavailable" : body)
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.start();
    // The one Prometheus address the tests' rollouts may name: exactly this one
    // (PrometheusAddress).
    return Map.of(
        "rollout.notifications.url",
        url() + "/webhook",
        "rollout.notifications.format",
        "slack",
        "rollout.prometheus-urls[0]",
        url());
  }

  @Override
  public void stop() {
    if (server != null) {
      server.stop(0);
    }
  }
}
