package dev.patchops.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProvenanceTest {
  private static final Set<String> NONE = Set.of();

  @Test
  void everyTypeIsTrustedFromItsProducerOnly() {
    for (EventType type : EventType.values()) {
      assertThat(Provenance.refusal(type, type.producer().source(), NONE))
          .as(type.type())
          .isEmpty();
      for (EventType.Producer other : EventType.Producer.values()) {
        if (other != type.producer()) {
          assertThat(Provenance.refusal(type, other.source(), NONE))
              .as(type.type() + " from " + other)
              .hasValueSatisfying(
                  reason ->
                      assertThat(reason)
                          .contains(other.source())
                          .contains(type.producer().source()));
        }
      }
      assertThat(Provenance.refusal(type, null, NONE)).isPresent();
    }
  }

  @Test
  void aForgedApprovalIsRefusedWhateverTheIntakeList() {
    List<String> generous = List.of("/patchops/rollout-service", "/bridge/x");
    assertThat(Provenance.refusal(EventType.PATCH_APPROVED, "/patchops/rollout-service", generous))
        .isPresent();
    assertThat(Provenance.refusal(EventType.PATCH_APPROVED, "/bridge/x", generous)).isPresent();
  }

  @Test
  void anIntakeTypeIsTakenFromAListedOutsideSourceButNeverFromAnotherService() {
    List<String> listed = List.of("/bridge/monitoring", "/patchops/rollout-service");
    assertThat(Provenance.refusal(EventType.TICKET_OPENED, "/bridge/monitoring", listed)).isEmpty();
    assertThat(Provenance.refusal(EventType.TICKET_OPENED, "/bridge/other", listed)).isPresent();
    assertThat(Provenance.refusal(EventType.TICKET_OPENED, "/patchops/rollout-service", listed))
        .isPresent();
  }
}
