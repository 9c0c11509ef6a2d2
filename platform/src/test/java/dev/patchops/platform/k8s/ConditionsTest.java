package dev.patchops.platform.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  static final String LONG_AGO = "2020-01-01T00:00:00Z";

  static Condition ready(String status) {
    return new ConditionBuilder()
        .withType("Ready")
        .withStatus(status)
        .withReason("Old")
        .withMessage("old")
        .withLastTransitionTime(LONG_AGO)
        .build();
  }

  @Test
  void anUnchangedStatusKeepsItsTransitionTimeButTakesTheNewReason() {
    Condition c = Conditions.of("Ready", true, "Valid", "fine", List.of(ready("True")), 7L);
    assertThat(c.getLastTransitionTime()).isEqualTo(LONG_AGO);
    assertThat(c.getReason()).isEqualTo("Valid");
    assertThat(c.getMessage()).isEqualTo("fine");
    assertThat(c.getObservedGeneration()).isEqualTo(7L);
  }

  @Test
  void aFlippedOrNewConditionTransitionsNow() {
    assertThat(Conditions.of("Ready", false, "Invalid", "bad", List.of(ready("True")), 1L))
        .extracting(Condition::getStatus, Condition::getLastTransitionTime)
        .doesNotContain(LONG_AGO)
        .first()
        .isEqualTo("False");
    assertThat(Conditions.of("Other", true, "X", null, List.of(ready("True")), 1L))
        .extracting(Condition::getLastTransitionTime, Condition::getMessage)
        .doesNotContain(LONG_AGO)
        .last()
        .isEqualTo("");
  }

  @Test
  void setReplacesTheConditionOfItsTypeInPlaceOrAppends() {
    Condition first = new ConditionBuilder().withType("Admitted").withStatus("True").build();
    List<Condition> conditions = new ArrayList<>(List.of(first, ready("True")));
    Condition flipped = Conditions.of("Ready", false, "Invalid", "bad", conditions, 2L);
    Conditions.set(conditions, flipped);
    assertThat(conditions).containsExactly(first, flipped);
    Condition extra = Conditions.of("Completed", true, "Passed", "ok", conditions, 2L);
    Conditions.set(conditions, extra);
    assertThat(conditions).containsExactly(first, flipped, extra);
  }
}
