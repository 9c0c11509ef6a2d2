package dev.patchops.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.ProductionNamespace;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A run whose executor died (RUNNING, lease run out) is taken over and completes; a run whose
 * executor still holds its lease is left to it until the lease runs out, and only then taken.
 */
@QuarkusTest
@WithOrchestratorInfra
class LeaseExpiryTest {
  static final Duration WAIT = Duration.ofSeconds(90);

  final KubernetesClient client = TestCluster.admin();
  @Inject TestRunService runs;

  /** A run some executor claimed at {@code startedAt}, holding it until {@code leaseUntil}. */
  private TestRun claimedElsewhere(
      TestRunRequested request, Instant requestedAt, Instant startedAt, Instant leaseUntil) {
    TestRun run = runs.request(request);
    run.state = RunState.RUNNING;
    run.requestedAt = requestedAt;
    run.startedAt = startedAt;
    run.leaseUntil = leaseUntil;
    return run;
  }

  private Instant leaseOf(String runId) {
    return QuarkusTransaction.requiringNew().call(() -> runs.get(runId).leaseUntil);
  }

  private static boolean completedEvent(
      org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]> r, String runId) {
    return EventType.TEST_RUN_COMPLETED.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE))
        && KafkaProbe.value(r).contains(runId);
  }

  @Test
  void aRunWhoseLeaseRanOutIsTakenOverAndOneStillLeasedIsNot() {
    String source = ProductionNamespace.create(client);
    TestRunRequested alive =
        Requests.checkout("T-" + UUID.randomUUID().toString().substring(0, 6), source, '1');
    TestRunRequested dead =
        Requests.checkout("T-" + UUID.randomUUID().toString().substring(0, 6), source, '2');
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Instant aliveLease = now.plus(Duration.ofMinutes(10));
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      // One transaction: the executor never sees either run as a fresh request. The live one was
      // requested first, so an executor that ignored leases would take it first.
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                claimedElsewhere(alive, now.minusSeconds(120), now.minusSeconds(110), aliveLease);
                claimedElsewhere(
                    dead,
                    now.minusSeconds(60),
                    now.minus(Duration.ofMinutes(16)),
                    now.minusSeconds(1));
              });

      await().atMost(WAIT).until(() -> runs.get(dead.runId()).state == RunState.CLEANED);
      var completed = probe.collect(r -> completedEvent(r, dead.runId()), 1, WAIT);
      assertThat(completed).hasSize(1);
      assertThat(runs.get(dead.runId()).outcome).isNotNull();

      // The live run was passed over on every claim: untouched, its lease as its executor left it.
      TestRun untouched = runs.get(alive.runId());
      assertThat(untouched.state).isEqualTo(RunState.RUNNING);
      assertThat(leaseOf(alive.runId())).isEqualTo(aliveLease);
      assertThat(untouched.completedAt).isNull();
      assertThat(untouched.readyPublished).isFalse();

      // Its executor dies in turn: once the lease has run out, it is taken over as well.
      QuarkusTransaction.requiringNew()
          .run(() -> runs.get(alive.runId()).leaseUntil = Instant.now().minusSeconds(1));
      await().atMost(WAIT).until(() -> runs.get(alive.runId()).state == RunState.CLEANED);
      assertThat(probe.collect(r -> completedEvent(r, alive.runId()), 1, WAIT)).hasSize(1);
    }
  }

  @Test
  void anExecutorRenewsALeaseOnlyWhileItHoldsIt() {
    TestRunRequested mine =
        Requests.checkout("T-" + UUID.randomUUID().toString().substring(0, 6), "shop-x", '3');
    TestRunRequested theirs =
        Requests.checkout("T-" + UUID.randomUUID().toString().substring(0, 6), "shop-x", '4');
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    // Far enough ahead that this instance's executor passes both over while the test runs.
    Instant lease = now.plus(Duration.ofMinutes(10));
    QuarkusTransaction.requiringNew()
        .run(
            () -> {
              claimedElsewhere(mine, now.minusSeconds(60), now.minusSeconds(50), lease).leaseOwner =
                  runs.instance();
              claimedElsewhere(theirs, now.minusSeconds(60), now.minusSeconds(50), lease)
                      .leaseOwner =
                  "another-replica";
            });
    try {
      assertThat(runs.renewLease(theirs.runId())).as("another replica's run").isFalse();
      assertThat(leaseOf(theirs.runId())).isEqualTo(lease);

      assertThat(runs.renewLease(mine.runId())).as("its own run").isTrue();
      assertThat(leaseOf(mine.runId()))
          .as("renewed to one lease from now")
          .isAfter(now)
          .isBefore(now.plus(Duration.ofMinutes(2)));
    } finally {
      // Neither run is real: nothing may take them up after this test.
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                runs.get(mine.runId()).state = RunState.CLEANED;
                runs.get(theirs.runId()).state = RunState.CLEANED;
              });
    }
  }
}
