package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.patchops.contract.Limit;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.rest.Problem;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a user names in a start is held to the events' bounds here, as a 400 naming the field: the
 * outbox would otherwise cut it (or, for the image, refuse the event) after the start was taken.
 */
class RolloutRequestsTest {
  private static final String DIGEST = "@sha256:" + "b".repeat(64);

  @Test
  void aStartWithinTheEventBoundsIsValid() {
    assertThatCode(
            () ->
                RolloutRequests.validate(
                    start("T".repeat(Limit.ID), "r/x" + DIGEST, "y".repeat(Limit.TEXT)), List.of()))
        .doesNotThrowAnyException();
  }

  @Test
  void aTicketIdImageOrEmergencyReasonPastTheEventBoundsIs400NamingTheField() {
    assertThat(field(start("T".repeat(Limit.ID + 1), "r/x" + DIGEST, "why"))).isEqualTo("ticketId");
    assertThat(field(start("TCK-1", "r/" + "x".repeat(Limit.IMAGE) + DIGEST, "why")))
        .isEqualTo("image");
    assertThat(field(start("TCK-1", "r/x" + DIGEST, "y".repeat(Limit.TEXT + 1))))
        .isEqualTo("emergencyReason");
  }

  private static String field(RolloutStarts.StartRollout start) {
    ApiException refused = null;
    try {
      RolloutRequests.validate(start, List.of());
    } catch (ApiException e) {
      refused = e;
    }
    assertThat(refused).as("refused").isNotNull();
    assertThat(refused.status()).isEqualTo(400);
    return refused.violations().stream().map(Problem.Violation::field).findFirst().orElseThrow();
  }

  private static RolloutStarts.StartRollout start(String ticketId, String image, String reason) {
    return new RolloutStarts.StartRollout(
        "r-1",
        ticketId,
        1,
        image,
        "shop",
        "cart",
        List.of("app"),
        null,
        null,
        null,
        RolloutOrigin.EMERGENCY,
        "alice",
        null,
        0,
        new RolloutStarts.Emergency(true, reason));
  }
}
