package dev.patchops.ticket.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.testing.Latencies;
import dev.patchops.testing.LoadAverage;
import dev.patchops.testing.PatchOpsTest;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * An alert storm (reliability issue, item 5): 10,000 Alertmanager alerts over 200 workloads in 60
 * s, through the token-authenticated hook, in Alertmanager-like groups of up to 50 alerts, sent
 * open loop on schedule (latency counted from the scheduled send, so a stall is not hidden). The
 * baseline posts the same groups, in the same run, to a test-only hook that authenticates and
 * parses only. Targets: exactly one ticket per workload, hook p99 under 100 ms, no 5xx. Run with
 * {@code -Pbench}; results in docs/benchmarks.md.
 */
@QuarkusTest
@PatchOpsTest
class AlertStormBenchmark {
  private static final int SECONDS = Integer.getInteger("bench.storm.seconds", 60);
  private static final int ALERTS = Integer.getInteger("bench.storm.alerts", 10_000);
  private static final int WORKLOADS = Integer.getInteger("bench.storm.workloads", 200);
  private static final int GROUP = Integer.getInteger("bench.storm.group", 50);
  private static final java.time.Instant STARTS_AT =
      java.time.Instant.parse("2026-12-05T07:00:00Z");
  private static final String TOKEN = "Bearer test-alertmanager-token";

  @TestHTTPResource("/")
  URL base;

  @Inject AgroalDataSource dataSource;

  record Run(
      String name, int requests, long non2xx, long fiveXx, double seconds, long[] latencies) {}

  @Test
  void alertStorm() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort())
                .setMaxPoolSize(64)
                .setKeepAlive(true));
    List<String> rows = new ArrayList<>();
    String namespace = "storm-" + UUID.randomUUID().toString().substring(0, 8);
    String warmNamespace = "warm-" + UUID.randomUUID().toString().substring(0, 8);
    Run bare;
    Run hook;
    try {
      // Warm both paths (JIT, pools, Hibernate) on other workloads.
      List<String> warm =
          dev.patchops.testing.AlertStorm.groups(warmNamespace, 1000, 20, GROUP, STARTS_AT);
      storm(vertx, client, "/bench/bare-alertmanager", warm, 5);
      storm(vertx, client, "/hooks/alertmanager", warm, 5);

      List<String> groups =
          dev.patchops.testing.AlertStorm.groups(namespace, ALERTS, WORKLOADS, GROUP, STARTS_AT);
      bare = storm(vertx, client, "/bench/bare-alertmanager", groups, SECONDS);
      hook = storm(vertx, client, "/hooks/alertmanager", groups, SECONDS);
    } finally {
      client.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    long tickets = count("select count(*) from ticket where workload_namespace = ?", namespace);
    long occurrences =
        count("select count(*) from alert_occurrence where workload_namespace = ?", namespace);
    rows.add(
        "| scenario | requests (alerts) | non-2xx | 5xx | p50 ms | p99 ms | max ms |"
            + " load avg 1/5 min |");
    rows.add("|---|---:|---:|---:|---:|---:|---:|---|");
    String load = LoadAverage.now(2);
    for (Run run : List.of(bare, hook)) {
      Latencies l = Latencies.ofNanos(run.latencies());
      rows.add(
          String.format(
              "| %s | %d (%d) | %d | %d | %.2f | %.2f | %.2f | %s |",
              run.name(),
              run.requests(),
              run.requests() * (long) GROUP,
              run.non2xx(),
              run.fiveXx(),
              l.percentileMs(0.50),
              l.percentileMs(0.99),
              l.maxMs(),
              load));
    }
    String text =
        "Alert storm, "
            + Instant.now()
            + ": "
            + ALERTS
            + " alerts over "
            + WORKLOADS
            + " workloads in "
            + SECONDS
            + " s, groups of "
            + GROUP
            + "\n\n"
            + String.join("\n", rows)
            + "\n\ntickets opened: "
            + tickets
            + ", alert occurrences recorded: "
            + occurrences
            + "\nslowest hook groups (index: ms): "
            + slowest(hook.latencies(), 6)
            + "\n";
    System.out.println(text);
    Path out = Path.of("target", "benchmarks", "alert-storm.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);

    assertThat(hook.fiveXx()).as("5xx from the hook").isZero();
    assertThat(hook.non2xx()).as("refused groups").isZero();
    assertThat(occurrences).as("every alert recorded once").isEqualTo(ALERTS);
    assertThat(tickets).as("one ticket per workload").isEqualTo(WORKLOADS);
    assertThat(Latencies.ofNanos(hook.latencies()).percentileMs(0.99))
        .as("hook p99 ms")
        .isLessThan(100.0);
  }

  /** Sends the groups evenly over {@code seconds}, open loop. */
  private Run storm(Vertx vertx, HttpClient client, String path, List<String> groups, int seconds)
      throws InterruptedException {
    int total = groups.size();
    long intervalNanos = seconds * 1_000_000_000L / total;
    long[] latencies = new long[total];
    AtomicLong non2xx = new AtomicLong();
    AtomicLong fiveXx = new AtomicLong();
    AtomicInteger completed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(total);
    long start = System.nanoTime() + 50_000_000L;
    AtomicInteger next = new AtomicInteger();
    long timer =
        vertx.setPeriodic(
            1,
            id -> {
              long now = System.nanoTime();
              while (next.get() < total && start + next.get() * intervalNanos <= now) {
                int index = next.getAndIncrement();
                long scheduled = start + index * intervalNanos;
                client
                    .request(
                        new RequestOptions()
                            .setMethod(HttpMethod.POST)
                            .setURI(path)
                            .putHeader("Authorization", TOKEN)
                            .putHeader("Content-Type", "application/json"))
                    .compose(request -> request.send(Buffer.buffer(groups.get(index))))
                    .compose(response -> response.body().map(body -> response.statusCode()))
                    .onComplete(
                        ar -> {
                          latencies[index] = System.nanoTime() - scheduled;
                          if (ar.failed() || ar.result() / 100 != 2) {
                            non2xx.incrementAndGet();
                          }
                          if (ar.succeeded() && ar.result() >= 500) {
                            fiveXx.incrementAndGet();
                          }
                          completed.incrementAndGet();
                          done.countDown();
                        });
              }
            });
    done.await(seconds + 120L, TimeUnit.SECONDS);
    vertx.cancelTimer(timer);
    double elapsed = (System.nanoTime() - start) / 1e9;
    return new Run(
        path,
        completed.get(),
        non2xx.get(),
        fiveXx.get(),
        elapsed,
        Arrays.copyOf(latencies, completed.get()));
  }

  /** The slowest groups by send index: whether the tail is the first groups or spread out. */
  private static String slowest(long[] latencies, int n) {
    return java.util.stream.IntStream.range(0, latencies.length)
        .boxed()
        .sorted((a, b) -> Long.compare(latencies[b], latencies[a]))
        .limit(n)
        .map(i -> i + ": " + Math.round(latencies[i] / 1e6))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private long count(String sql, String parameter) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, parameter);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
