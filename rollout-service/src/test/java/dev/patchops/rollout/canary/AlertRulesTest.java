package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.Severity;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class AlertRulesTest {
  static final Instant BEGAN = Instant.parse("2026-12-05T06:00:00Z");
  static final List<Severity> DEFAULT = List.of(Severity.SEV1, Severity.SEV2);

  @Test
  void anAlertOfARevertingSeverityAfterTheStartReverts() {
    assertThat(AlertRules.judge(Severity.SEV2, BEGAN.plusSeconds(1), BEGAN, DEFAULT).reverts())
        .isTrue();
    assertThat(AlertRules.judge(Severity.SEV1, BEGAN, BEGAN, DEFAULT).reverts()).isTrue();
  }

  @Test
  void anAlertOlderThanTheRolloutIsRecordedNotActedOn() {
    var v = AlertRules.judge(Severity.SEV1, BEGAN.minusMillis(1), BEGAN, DEFAULT);
    assertThat(v.reverts()).isFalse();
    assertThat(v.reason()).isEqualTo(AlertRules.STARTED_BEFORE);
    assertThat(v.detail()).contains(BEGAN.toString());
  }

  @Test
  void onlyThePolicysSeveritiesRevert() {
    var v = AlertRules.judge(Severity.SEV3, BEGAN.plusSeconds(5), BEGAN, DEFAULT);
    assertThat(v.reverts()).isFalse();
    assertThat(v.reason()).isEqualTo(AlertRules.SEVERITY);
    assertThat(AlertRules.judge(Severity.SEV3, BEGAN, BEGAN, List.of(Severity.SEV3)).reverts())
        .isTrue();
    assertThat(AlertRules.judge(Severity.SEV2, BEGAN, BEGAN, List.of(Severity.SEV1)).reverts())
        .isFalse();
  }

  @Test
  void anAlertWithoutSeverityOrStartStillReverts() {
    assertThat(AlertRules.judge(null, BEGAN.plusSeconds(1), BEGAN, DEFAULT).reverts()).isTrue();
    assertThat(AlertRules.judge(Severity.SEV1, null, BEGAN, DEFAULT).reverts()).isTrue();
  }
}
