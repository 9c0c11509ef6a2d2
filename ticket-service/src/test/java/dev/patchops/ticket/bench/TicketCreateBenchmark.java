package dev.patchops.ticket.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.testing.Latencies;
import dev.patchops.testing.LoadAverage;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Ticket creation through REST with its outbox event, against the same insert without the outbox,
 * in one run: peak throughput with 32 requests in flight, then latency at a fixed 500 req/s (open
 * loop, measured from the scheduled send time so a stall is not hidden). Run with {@code -Pbench};
 * results in docs/benchmarks.md.
 */
@QuarkusTest
@PatchOpsTest
class TicketCreateBenchmark {
  private static final int SECONDS = Integer.getInteger("bench.seconds", 10);
  private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 32);
  private static final int RATE = Integer.getInteger("bench.rate", 500);
  private static final int WARMUP = Integer.getInteger("bench.warmup", 3);
  private static final String BODY =
      "{\"kind\":\"SOFTWARE\",\"title\":\"bench\",\"severity\":\"SEV3\","
          + "\"workload\":{\"namespace\":\"bench\",\"kind\":\"Deployment\",\"name\":\"api\"}}";

  @TestHTTPResource("/")
  URL base;

  @Inject AgroalDataSource dataSource;

  record Run(
      String name,
      long requests,
      long errors,
      double seconds,
      long[] latenciesNanos,
      String loadAverage,
      ProcessCpu.Snapshot cpu,
      String delivery) {}

  @Test
  void ticketCreation() throws Exception {
    Vertx vertx = Vertx.vertx();
    HttpClient client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setDefaultHost(base.getHost())
                .setDefaultPort(base.getPort())
                .setMaxPoolSize(CONCURRENCY)
                .setKeepAlive(true));
    String token = TestInfra.bearer("bench", "reporter");
    List<String> rows = new ArrayList<>();
    try {
      // Warm both paths: JIT, connection pools, Hibernate.
      closedLoop(client, token, "/bench/bare-tickets", WARMUP);
      closedLoop(client, token, "/api/v1/tickets", WARMUP);
      long outboxBefore = outboxRows();

      Run bare = closedLoop(client, token, "/bench/bare-tickets", SECONDS);
      Run outbox = closedLoop(client, token, "/api/v1/tickets", SECONDS);
      Run bareRate = openLoop(vertx, client, token, "/bench/bare-tickets", SECONDS);
      Run outboxRate = openLoop(vertx, client, token, "/api/v1/tickets", SECONDS);

      long outboxAdded = outboxRows() - outboxBefore;
      assertThat(outboxAdded)
          .as("one committed outbox event per created ticket")
          .isEqualTo(
              outbox.requests() - outbox.errors() + outboxRate.requests() - outboxRate.errors());

      rows.add(
          "| scenario | requests | errors | throughput /s | p50 ms | p99 ms | max ms"
              + " | load avg 1/5 min | CPU ms/request: JVM + PostgreSQL + Kafka = total"
              + " | event delivery p50 / p99 ms |");
      rows.add("|---|---:|---:|---:|---:|---:|---:|---|---|---|");
      for (Run run : List.of(bare, outbox, bareRate, outboxRate)) {
        rows.add(row(run));
      }
    } finally {
      client.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    String text =
        "Ticket creation over REST, "
            + Instant.now()
            + ", "
            + SECONDS
            + " s per scenario\n\n"
            + String.join("\n", rows)
            + "\n";
    System.out.println(text);
    Path out = Path.of("target", "benchmarks", "ticket-create.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, text, StandardCharsets.UTF_8);
  }

  private Run closedLoop(HttpClient client, String token, String path, int seconds)
      throws InterruptedException {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(CONCURRENCY);
    long lastEventBefore = lastOutboxId();
    ProcessCpu.Snapshot cpuBefore = ProcessCpu.now();
    long start = System.nanoTime();
    for (int i = 0; i < CONCURRENCY; i++) {
      loop(client, token, path, end, latencies, errors, done);
    }
    done.await(seconds + 60L, TimeUnit.SECONDS);
    double elapsed = (System.nanoTime() - start) / 1e9;
    String load = LoadAverage.now(2);
    ProcessCpu.Snapshot cpu = cpuUntilRelayed().minus(cpuBefore);
    return new Run(
        "closed loop, " + CONCURRENCY + " in flight: " + path,
        latencies.size(),
        errors.get(),
        elapsed,
        latencies.stream().mapToLong(Long::longValue).toArray(),
        load,
        cpu,
        delivery(lastEventBefore));
  }

  private void loop(
      HttpClient client,
      String token,
      String path,
      long end,
      ConcurrentLinkedQueue<Long> latencies,
      AtomicLong errors,
      CountDownLatch done) {
    if (System.nanoTime() >= end) {
      done.countDown();
      return;
    }
    long sent = System.nanoTime();
    send(client, token, path)
        .onComplete(
            ar -> {
              latencies.add(System.nanoTime() - sent);
              if (ar.failed() || ar.result() != 201) {
                errors.incrementAndGet();
              }
              loop(client, token, path, end, latencies, errors, done);
            });
  }

  private Run openLoop(Vertx vertx, HttpClient client, String token, String path, int seconds)
      throws InterruptedException {
    int total = RATE * seconds;
    long intervalNanos = 1_000_000_000L / RATE;
    long[] latencies = new long[total];
    AtomicLong errors = new AtomicLong();
    AtomicInteger completed = new AtomicInteger();
    CountDownLatch done = new CountDownLatch(total);
    long start = System.nanoTime() + 50_000_000L;
    AtomicInteger next = new AtomicInteger();
    long lastEventBefore = lastOutboxId();
    ProcessCpu.Snapshot cpuBefore = ProcessCpu.now();
    // A 1 ms ticker sends every request whose scheduled time has come.
    long timer =
        vertx.setPeriodic(
            1,
            id -> {
              long now = System.nanoTime();
              while (next.get() < total && start + next.get() * intervalNanos <= now) {
                int index = next.getAndIncrement();
                long scheduled = start + index * intervalNanos;
                send(client, token, path)
                    .onComplete(
                        ar -> {
                          latencies[index] = System.nanoTime() - scheduled;
                          if (ar.failed() || ar.result() != 201) {
                            errors.incrementAndGet();
                          }
                          completed.incrementAndGet();
                          done.countDown();
                        });
              }
            });
    done.await(seconds + 60L, TimeUnit.SECONDS);
    vertx.cancelTimer(timer);
    double elapsed = (System.nanoTime() - start) / 1e9;
    String load = LoadAverage.now(2);
    ProcessCpu.Snapshot cpu = cpuUntilRelayed().minus(cpuBefore);
    return new Run(
        "open loop at " + RATE + " req/s: " + path,
        completed.get(),
        errors.get(),
        elapsed,
        Arrays.copyOf(latencies, completed.get()),
        load,
        cpu,
        delivery(lastEventBefore));
  }

  private static io.vertx.core.Future<Integer> send(HttpClient client, String token, String path) {
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setURI(path)
                .putHeader("Authorization", token)
                .putHeader("Content-Type", "application/json"))
        .compose(request -> request.send(Buffer.buffer(BODY)))
        .compose(response -> response.body().map(body -> response.statusCode()));
  }

  private long outboxRows() throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select count(*) from outbox_event where type = 'dev.patchops.ticket.opened.v1'")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String row(Run run) {
    Latencies latencies = Latencies.ofNanos(run.latenciesNanos());
    return String.format(
        "| %s | %d | %d | %.0f | %.2f | %.2f | %.2f | %s | %s | %s |",
        run.name(),
        run.requests(),
        run.errors(),
        run.requests() / run.seconds(),
        latencies.percentileMs(0.50),
        latencies.percentileMs(0.99),
        latencies.maxMs(),
        run.loadAverage(),
        cpuPerRequest(run),
        run.delivery());
  }

  private static String cpuPerRequest(Run run) {
    double n = Math.max(1, run.requests());
    ProcessCpu.Snapshot c = run.cpu();
    return String.format(
        "%.2f + %.2f + %.2f = %.2f",
        c.jvmMs() / n,
        c.postgresMs() / n,
        c.kafkaMs() / n,
        (c.jvmMs() + c.postgresMs() + c.kafkaMs()) / n);
  }

  /**
   * CPU after the relay has published what the scenario wrote, so the cost of delivering the events
   * is charged to the requests that caused them.
   */
  private ProcessCpu.Snapshot cpuUntilRelayed() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      try {
        if (pendingOutboxRows() == 0) {
          break;
        }
      } catch (Exception e) {
        break;
      }
      Thread.sleep(20);
    }
    return ProcessCpu.now();
  }

  private long lastOutboxId() {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("select coalesce(max(id), 0) from outbox_event")) {
      rs.next();
      return rs.getLong(1);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * From writing each event of the scenario (in its request's transaction) to the relay marking it
   * sent after Kafka's acknowledgement; read after {@link #cpuUntilRelayed}, so all are sent.
   */
  private String delivery(long lastEventBefore) {
    try (Connection connection = dataSource.getConnection();
        java.sql.PreparedStatement select =
            connection.prepareStatement(
                "select count(*), percentile_cont(0.5) within group (order by d),"
                    + " percentile_cont(0.99) within group (order by d) from (select"
                    + " extract(epoch from sent_at - occurred_at) * 1000 as d from outbox_event"
                    + " where id > ? and sent_at is not null) s")) {
      select.setLong(1, lastEventBefore);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getLong(1) == 0
            ? "n/a"
            : String.format("%.1f / %.1f", rs.getDouble(2), rs.getDouble(3));
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private long pendingOutboxRows() throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery("select count(*) from outbox_event where sent_at is null")) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
