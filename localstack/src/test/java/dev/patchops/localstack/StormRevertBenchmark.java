package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.ContractJson;
import dev.patchops.testing.LoadAverage;
import io.fabric8.kubernetes.api.model.apps.DeploymentSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Reliability issue, item 5: "a canary running at the same time still reverts on its own alert
 * within its usual time". On the real stack (the four packaged services, Kafka, PostgreSQL, the
 * control plane), a patch of {@code shop/checkout} is promoted and sits in its watch window; its
 * own Alertmanager alert is POSTed to the ticket-service's hook and the clock stops at the
 * rollout-service's verified {@code rollout.revert-completed}, as in {@link HookRevertBenchmark}.
 * Baseline in the same run: reverts with the hook otherwise idle. Then each revert is measured
 * while an alert storm runs against the same hook: 10,000 alerts over 200 other workloads in 60 s,
 * groups of 50, sent open loop; the canary's alert is fired a third of the way in. Hard facts
 * asserted: every revert completes and is verified, each storm opens exactly 200 tickets and gets
 * no 5xx. The latencies are reported, not asserted. Run with -Pbench.
 */
class StormRevertBenchmark {
  static final int REVERTS = Integer.getInteger("bench.reverts", 5);
  static final int WARMUP = Integer.getInteger("bench.warmup", 1);
  static final int SECONDS = Integer.getInteger("bench.storm.seconds", 60);
  static final int ALERTS = Integer.getInteger("bench.storm.alerts", 10_000);
  static final int WORKLOADS = Integer.getInteger("bench.storm.workloads", 200);
  static final int GROUP = Integer.getInteger("bench.storm.group", 50);
  static final int PORTS = 18481;
  static final String WORKLOAD = HookRevertBenchmark.WORKLOAD;

  /** One revert's two clocks, from the alert POST: restore issued, and restored and verified. */
  record Revert(long issuedMs, long verifiedMs) {}

  /** What one storm got back from the hook. */
  record StormResult(
      String namespace,
      int sent,
      long non2xx,
      long fiveXx,
      long[] latencies,
      Set<String> tickets) {}

  @Test
  void canaryRevertsDuringAlertStorm() throws Exception {
    Path home = Files.createTempDirectory("patchops-bench");
    LocalStack stack =
        new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, PORTS, Map.of())
            .withServiceEnv("rollout-service", Map.of("ROLLOUT_WATCH_WINDOW", "10m"));
    List<Revert> quiet = new ArrayList<>();
    List<Revert> stormy = new ArrayList<>();
    List<StormResult> storms = new ArrayList<>();
    List<Long> totals = new ArrayList<>();
    List<String> loads = new ArrayList<>();
    try {
      stack.start();
      KubernetesClient kube = stack.kubernetes();
      LocalStack.Keys keys = LocalStack.Keys.loadOrCreate(home.resolve("keys"));
      Demo.Endpoints at = Demo.Endpoints.local("127.0.0.1", PORTS, keys.hookToken, keys.jwt);
      Demo demo = new Demo(at, Demo.CONSOLE).polling(Duration.ofMillis(5));
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      int n = 0;
      for (int i = 0; i < WARMUP; i++) {
        revert(demo, kube, ++n, null);
      }
      // A short storm warms the hook's own path (as the ticket-service benchmark does).
      storm(http, at, "warm-" + UUID.randomUUID().toString().substring(0, 8), 1000, 20, 5).join();
      for (int i = 0; i < REVERTS; i++) {
        quiet.add(revert(demo, kube, ++n, null));
      }
      loads.add(LoadAverage.now(3));
      for (int i = 0; i < REVERTS; i++) {
        String namespace = "storm-" + UUID.randomUUID().toString().substring(0, 8);
        stormy.add(
            revert(demo, kube, ++n, () -> storm(http, at, namespace, ALERTS, WORKLOADS, SECONDS)));
        StormResult storm = lastStorm;
        storms.add(storm);
        totals.add(
            demo.get(
                    at.ticket() + "/api/v1/tickets?namespace=" + namespace + "&size=1",
                    "sam",
                    "sre")
                .path("total")
                .asLong());
        loads.add(LoadAverage.now(3));
      }
    } finally {
      stack.stop();
    }
    List<String> lines = new ArrayList<>();
    lines.add("| scenario | reverts | p50 ms | p99 ms | max ms |");
    lines.add("|---|---:|---:|---:|---:|");
    lines.add(row("quiet hook (baseline): alert POST to revert verified", verified(quiet)));
    lines.add(row("quiet hook (baseline): alert POST to restore issued", issued(quiet)));
    lines.add(row("during the storm: alert POST to revert verified", verified(stormy)));
    lines.add(row("during the storm: alert POST to restore issued", issued(stormy)));
    lines.add("");
    lines.add(
        "| storm | groups (alerts) | non-2xx | 5xx | hook p50 ms | hook p99 ms | hook max ms | tickets |");
    lines.add("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < storms.size(); i++) {
      StormResult s = storms.get(i);
      long[] sorted = s.latencies().clone();
      Arrays.sort(sorted);
      lines.add(
          String.format(
              "| %d | %d (%d) | %d | %d | %.1f | %.1f | %.1f | %d |",
              i + 1,
              s.sent(),
              s.sent() * (long) GROUP,
              s.non2xx(),
              s.fiveXx(),
              percentile(sorted, 0.50) / 1e6,
              percentile(sorted, 0.99) / 1e6,
              sorted[sorted.length - 1] / 1e6,
              totals.get(i)));
    }
    lines.add("");
    lines.add(
        "(" + Instant.now() + ", load averages 1/5/15 min: " + String.join("; ", loads) + ")");
    String report = String.join("\n", lines) + "\n";
    System.out.println(report);
    Path out = Path.of("target/benchmarks/storm-revert.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);

    assertThat(stormy).hasSize(REVERTS);
    for (int i = 0; i < storms.size(); i++) {
      StormResult s = storms.get(i);
      assertThat(s.sent()).as("groups answered in storm %d", i + 1).isEqualTo(ALERTS / GROUP);
      assertThat(s.fiveXx()).as("5xx in storm %d", i + 1).isZero();
      assertThat(s.non2xx()).as("refused groups in storm %d", i + 1).isZero();
      assertThat(s.tickets()).as("tickets the hook named in storm %d", i + 1).hasSize(WORKLOADS);
      assertThat(totals.get(i)).as("tickets of storm %d's namespace", i + 1).isEqualTo(WORKLOADS);
    }
  }

  private StormResult lastStorm;

  interface StormStart {
    CompletableFuture<StormResult> start();
  }

  /**
   * Promotes a patch of the canary workload to its watch window, starts the storm if one is given
   * (and waits a third of it), fires the canary's own alert and times the revert; then waits for
   * the storm to end. The revert must complete, verified, with the checkpointed spec back.
   */
  Revert revert(Demo demo, KubernetesClient kube, int n, StormStart storm) throws Exception {
    DeploymentSpec checkpoint = Serialization.clone(HookRevertBenchmark.deployment(kube).getSpec());
    String ticket = demo.alert(WORKLOAD);
    demo.diagnose(ticket, WORKLOAD);
    int rev = demo.propose(ticket, WORKLOAD, n);
    PatchFlowIT.awaitPassed(demo, ticket, rev);
    demo.approve(ticket, rev);
    demo.awaitRollout(ticket, rev, Set.of("WATCHING"));

    CompletableFuture<StormResult> running = null;
    if (storm != null) {
      running = storm.start();
      // A third of the storm's groups are out: its tickets exist and the hook is busy.
      Thread.sleep(SECONDS * 1000L / 3);
    }
    Instant posted = Instant.now();
    JsonNode reached = demo.fire(WORKLOAD, Instant.now());
    assertThat(reached.toString()).as("the canary's alert joins its ticket").contains(ticket);
    JsonNode reverted = demo.awaitRollout(ticket, rev, Set.of("REVERTED"));
    JsonNode completed = demo.revertCompleted(ticket, reverted.path("id").asText());
    assertThat(completed.path("verified").asBoolean()).as("revert %d verified", n).isTrue();
    Revert sample =
        new Revert(
            Duration.between(posted, Instant.parse(completed.path("restoreIssuedAt").asText()))
                .toMillis(),
            Duration.between(posted, Instant.parse(completed.path("completedAt").asText()))
                .toMillis());
    assertThat(HookRevertBenchmark.templateOf(HookRevertBenchmark.deployment(kube).getSpec()))
        .isEqualTo(HookRevertBenchmark.templateOf(checkpoint));
    demo.close(ticket);
    if (running != null) {
      lastStorm = running.get(SECONDS + 180L, TimeUnit.SECONDS);
    }
    System.out.printf(
        "revert %d%s: restore issued after %d ms, verified after %d ms%n",
        n, storm != null ? " (storm)" : "", sample.issuedMs(), sample.verifiedMs());
    return sample;
  }

  /**
   * The storm as Alertmanager sends it when grouping by alertname: alert i fires on workload i mod
   * {@code workloads} of the namespace, groups of {@link #GROUP} sent evenly over {@code seconds},
   * open loop (latency from the scheduled send, so a stall is not hidden), on its own thread.
   */
  static CompletableFuture<StormResult> storm(
      HttpClient http,
      Demo.Endpoints at,
      String namespace,
      int alerts,
      int workloads,
      int seconds) {
    List<String> groups =
        dev.patchops.testing.AlertStorm.groups(
            namespace,
            alerts,
            workloads,
            GROUP,
            Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    int total = groups.size();
    long interval = seconds * 1_000_000_000L / total;
    long[] latencies = new long[total];
    AtomicLong non2xx = new AtomicLong();
    AtomicLong fiveXx = new AtomicLong();
    AtomicInteger answered = new AtomicInteger();
    Set<String> tickets = java.util.Collections.synchronizedSet(new TreeSet<>());
    CompletableFuture<StormResult> result = new CompletableFuture<>();
    Thread sender =
        new Thread(
            () -> {
              List<CompletableFuture<?>> sent = new ArrayList<>();
              long start = System.nanoTime() + 50_000_000L;
              for (int i = 0; i < total; i++) {
                long scheduled = start + i * interval;
                long wait = scheduled - System.nanoTime();
                if (wait > 0) {
                  LockSupport.parkNanos(wait);
                }
                int index = i;
                HttpRequest request =
                    HttpRequest.newBuilder(URI.create(at.ticket() + "/hooks/alertmanager"))
                        .timeout(Duration.ofSeconds(120))
                        .header("Authorization", "Bearer " + at.hookToken())
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(groups.get(index)))
                        .build();
                sent.add(
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .whenComplete(
                            (response, failure) -> {
                              latencies[index] = System.nanoTime() - scheduled;
                              if (failure != null || response.statusCode() / 100 != 2) {
                                non2xx.incrementAndGet();
                              }
                              if (failure == null && response.statusCode() >= 500) {
                                fiveXx.incrementAndGet();
                              }
                              if (failure == null && response.statusCode() / 100 == 2) {
                                try {
                                  for (JsonNode id :
                                      ContractJson.mapper()
                                          .readTree(response.body())
                                          .path("tickets")) {
                                    tickets.add(id.asText());
                                  }
                                } catch (java.io.IOException e) {
                                  non2xx.incrementAndGet();
                                }
                              }
                              answered.incrementAndGet();
                            }));
              }
              CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                  .handle(
                      (ignored, failure) ->
                          result.complete(
                              new StormResult(
                                  namespace,
                                  answered.get(),
                                  non2xx.get(),
                                  fiveXx.get(),
                                  latencies,
                                  Set.copyOf(tickets))));
            },
            "alert-storm");
    sender.setDaemon(true);
    sender.start();
    return result;
  }

  private static long[] verified(List<Revert> reverts) {
    return reverts.stream().mapToLong(Revert::verifiedMs).toArray();
  }

  private static long[] issued(List<Revert> reverts) {
    return reverts.stream().mapToLong(Revert::issuedMs).toArray();
  }

  private static String row(String name, long[] ms) {
    long[] sorted = ms.clone();
    Arrays.sort(sorted);
    return String.format(
        "| %s | %d | %d | %d | %d |",
        name,
        sorted.length,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        sorted[sorted.length - 1]);
  }

  /** Nearest rank. */
  private static long percentile(long[] sorted, double p) {
    int rank = (int) Math.ceil(sorted.length * p) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
  }
}
