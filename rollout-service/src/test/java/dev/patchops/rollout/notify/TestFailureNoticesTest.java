package dev.patchops.rollout.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.rollout.LocalHttp;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.EventSender;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A failed test run reaches its revision's author through the outbound webhook. */
@QuarkusTest
@WithRolloutInfra
class TestFailureNoticesTest {
  private static TestRunCompleted run(
      String ticketId, String burnInNode, TestOutcome outcome, String author) {
    return new TestRunCompleted(
        ticketId,
        2,
        UUID.randomUUID().toString(),
        3,
        burnInNode,
        outcome,
        new TestAnalytics(
            1000,
            200L,
            0,
            List.of(),
            outcome == TestOutcome.PASSED
                ? List.of()
                : List.of("e2e / shop.CheckoutIT.lists: lists broke"),
            List.of(),
            List.of(),
            new AttemptChanges(
                2,
                1,
                List.of("e2e / shop.CheckoutIT.lists"),
                List.of("e2e / shop.CheckoutIT.refunds"),
                List.of(),
                List.of(),
                "1 newly failing, 1 fixed, 0 still failing, 0 flaky since attempt 2 (revision 1)")),
        Instant.now(),
        author);
  }

  @Test
  void theAuthorOfAFailedRevisionIsToldWithTheFailuresAndALinkAndNoOneElse() {
    String ticketId = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    // Same ticket, so one partition: the notices that should not exist would come first.
    EventSender.send(run(ticketId, null, TestOutcome.PASSED, "bob"), "test-orchestrator");
    EventSender.send(run(ticketId, "node-7", TestOutcome.FAILED, "carol"), "test-orchestrator");
    EventSender.send(run(ticketId, null, TestOutcome.FAILED, "alice"), "test-orchestrator");

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> LocalHttp.NOTIFICATIONS.stream().anyMatch(n -> n.contains(ticketId)));
    List<String> mine = LocalHttp.NOTIFICATIONS.stream().filter(n -> n.contains(ticketId)).toList();
    assertThat(mine)
        .singleElement()
        .satisfies(
            n ->
                assertThat(n)
                    .contains("@alice: revision 2 FAILED its tests (attempt 3)")
                    .contains("e2e / shop.CheckoutIT.lists: lists broke")
                    .contains("1 newly failing, 1 fixed")
                    .contains(
                        "http://ticket-service:8080/api/v1/tickets/" + ticketId + "/revisions/2"));
  }
}
