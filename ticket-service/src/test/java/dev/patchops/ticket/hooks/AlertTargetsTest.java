package dev.patchops.ticket.hooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertTargetsTest {
  @Test
  void kubernetesNamesPass() {
    assertThat(AlertTargets.refusal(Map.of("namespace", "shop", "deployment", "cart-v2"))).isNull();
    assertThat(AlertTargets.refusal(Map.of("node", "worker-3.rack-a.example"))).isNull();
    assertThat(AlertTargets.refusal(Map.of("alertname", "Watchdog"))).isNull();
    assertThat(AlertTargets.refusal(Map.of("namespace", "n".repeat(63)))).isNull();
  }

  @Test
  void eachTargetLabelIsHeldToItsRule() {
    assertThat(AlertTargets.refusal(Map.of("namespace", "Shop_Prod")))
        .startsWith("label namespace");
    assertThat(AlertTargets.refusal(Map.of("namespace", "n".repeat(64))))
        .startsWith("label namespace");
    assertThat(AlertTargets.refusal(Map.of("namespace", "shop", "deployment", "cart v2")))
        .startsWith("label deployment");
    assertThat(AlertTargets.refusal(Map.of("deployment", "-cart"))).startsWith("label deployment");
    assertThat(AlertTargets.refusal(Map.of("deployment", "c".repeat(254))))
        .startsWith("label deployment");
    assertThat(AlertTargets.refusal(Map.of("node", "<b>node</b>"))).startsWith("label node");
  }
}
