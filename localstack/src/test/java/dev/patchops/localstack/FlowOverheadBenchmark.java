package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Orchestration overhead of the whole flow, alert to resolved ticket, on the four packaged services
 * as processes: the end-to-end time minus the waits the flow is configured to have (the test
 * suite's run time, the canary's pause, the watch window). The baseline in the same run is that sum
 * of waits, the time an orchestrator costing nothing would take. Run with -Pbench (see
 * docs/benchmarks.md); not a test.
 */
class FlowOverheadBenchmark {
  static final int FLOWS = Integer.getInteger("bench.flows", 8);
  static final int WARMUP = Integer.getInteger("bench.warmup", 2);
  static final Duration WATCH = Duration.ofSeconds(3);

  /** The sandbox suite's run time: {@link SandboxControl#suite}. */
  static final Duration SUITE = Duration.ofMillis(300);

  /** The canary pause of the demo's revisions: 25 % for 3 s, then 100 %. */
  static final Duration PAUSES = Duration.ofSeconds(3);

  record Flow(
      String ticket,
      long endToEndMs,
      long waitsMs,
      long intakeMs,
      long testingMs,
      long rolloutMs,
      long watchMs,
      long readinessMs,
      long driverMs,
      String load) {
    long overheadMs() {
      return endToEndMs - waitsMs;
    }
  }

  @Test
  void fromAlertToResolved() throws Exception {
    Path home = Files.createTempDirectory("patchops-bench");
    LocalStack stack =
        new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, 18381, Map.of())
            .withServiceEnv(
                "rollout-service", Map.of("ROLLOUT_WATCH_WINDOW", WATCH.toSeconds() + "s"));
    List<Flow> flows = new ArrayList<>();
    try {
      stack.start();
      LocalStack.Keys keys = LocalStack.Keys.loadOrCreate(home.resolve("keys"));
      Demo demo =
          new Demo(Demo.Endpoints.local("127.0.0.1", 18381, keys.hookToken, keys.jwt), Demo.CONSOLE)
              .polling(Duration.ofMillis(10));
      // Flows that warm the JVMs up (JIT, connection pools), not counted.
      for (int i = 0; i < WARMUP; i++) {
        flow(demo, "payments", -1 - i);
      }
      for (int i = 1; i <= FLOWS; i++) {
        flows.add(flow(demo, "checkout", i));
      }
    } finally {
      stack.stop();
    }
    write(flows);
    for (Flow f : flows) {
      assertThat(f.endToEndMs()).isGreaterThan(f.waitsMs());
    }
  }

  /** One patch: alert, root cause, one revision that passes, approval, canary, watch, resolved. */
  Flow flow(Demo demo, String workload, int n) throws Exception {
    long start = System.nanoTime();
    Instant startedAt = Instant.now();
    String ticket = demo.alert(workload);
    long driver = 0;
    long t = System.nanoTime();
    demo.diagnose(ticket, workload);
    int rev = demo.propose(ticket, workload, n);
    driver += System.nanoTime() - t;
    JsonNode tested = PatchFlowIT.awaitPassed(demo, ticket, rev);
    t = System.nanoTime();
    demo.approve(ticket, rev);
    driver += System.nanoTime() - t;
    demo.awaitTicketState(ticket, "RESOLVED");
    long endToEnd = (System.nanoTime() - start) / 1_000_000;
    JsonNode rollout = demo.awaitRollout(ticket, rev, Demo.ENDED);
    long watchConfigured = WATCH.toMillis();
    Map<String, Instant> at = eventTimes(demo, ticket);
    // The simulated kubelet stands for Pods starting: a wait, like the suite's run time.
    long readiness = tested.path("testAnalytics").path("readinessMs").asLong();
    demo.close(ticket); // after the measured end: the next flow opens a new ticket
    Flow flow =
        new Flow(
            ticket,
            endToEnd,
            SUITE.toMillis() + readiness + PAUSES.toMillis() + watchConfigured,
            Duration.between(startedAt, at.get("ticket.opened")).toMillis(),
            Duration.between(at.get("ticket.patch-proposed"), at.get("test.run-completed"))
                    .toMillis()
                - SUITE.toMillis()
                - readiness,
            Duration.between(at.get("ticket.patch-approved"), at.get("rollout.promoted")).toMillis()
                - PAUSES.toMillis(),
            Duration.between(at.get("rollout.promoted"), at.get("ticket.resolved")).toMillis()
                - watchConfigured,
            readiness,
            driver / 1_000_000,
            Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    System.out.println("flow " + n + ": " + flow + " rollout " + rollout.path("phase").asText());
    return flow;
  }

  /** When each step happened, by the events' own times in the audit trail. */
  static Map<String, Instant> eventTimes(Demo demo, String ticket) throws Exception {
    Map<String, Instant> at = new HashMap<>();
    JsonNode all =
        demo.await(
            "the audit trail of " + ticket,
            () -> auditTrail(demo, ticket),
            items -> {
              for (JsonNode e : items) {
                if (e.path("type").asText().contains("ticket.resolved")) {
                  return true;
                }
              }
              return false;
            });
    for (JsonNode e : all) {
      String type =
          e.path("type").asText().replace("dev.patchops.", "").replaceAll("\\.v\\d+$", "");
      at.putIfAbsent(type, Instant.parse(e.path("time").asText()));
    }
    return at;
  }

  static JsonNode auditTrail(Demo demo, String ticket) throws Exception {
    return demo.get(
            demo.auditUrl() + "/api/v1/audit/events?ticketId=" + ticket + "&limit=1000",
            "ada",
            "auditor")
        .path("items");
  }

  static void write(List<Flow> flows) throws Exception {
    StringBuilder md = new StringBuilder();
    md.append("| flow | end to end ms | configured waits ms | overhead ms |")
        .append(
            " intake | testing | canary to promoted | watch to resolved | mirror readiness (a wait) |"
                + " driver's REST calls | load (1 min) |\n")
        .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < flows.size(); i++) {
      Flow f = flows.get(i);
      md.append(
          String.format(
              "| %d | %d | %d | **%d** | %d | %d | %d | %d | %d | %d | %s |%n",
              i + 1,
              f.endToEndMs(),
              f.waitsMs(),
              f.overheadMs(),
              f.intakeMs(),
              f.testingMs(),
              f.rolloutMs(),
              f.watchMs(),
              f.readinessMs(),
              f.driverMs(),
              f.load()));
    }
    List<Long> overheads = flows.stream().map(Flow::overheadMs).sorted().toList();
    md.append(
        String.format(
            "%nmedian overhead %d ms, max %d ms, over %d flows (%s)%n",
            overheads.get(overheads.size() / 2),
            overheads.get(overheads.size() - 1),
            flows.size(),
            Instant.now()));
    Path out = Path.of("target/benchmarks/flow-overhead.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, md.toString());
    System.out.println(md);
  }
}
