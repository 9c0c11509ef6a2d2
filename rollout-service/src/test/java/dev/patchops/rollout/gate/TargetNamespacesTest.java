package dev.patchops.rollout.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TargetNamespacesTest {
  private static final List<String> TARGETS = List.of("shop", "payments-*", "kube-*", "patchops");

  @Test
  void patchOpsOwnNamespaceAndKubeNamespacesAreRefusedEvenWhenListed() {
    for (String ns : List.of("patchops", "platform-ops", "kube-system", "kube-public")) {
      assertThat(TargetNamespaces.refusal(TARGETS, "platform-ops", ns))
          .as(ns)
          .hasValueSatisfying(
              r -> {
                assertThat(r.gate()).isEqualTo(StartGate.Gate.PROTECTED_NAMESPACE);
                assertThat(r.reason())
                    .isEqualTo(
                        "namespace "
                            + ns
                            + " is never a rollout target: it is PatchOps' own or the cluster's"
                            + " (kube-*)");
              });
    }
  }

  @Test
  void onlyListedNamespacesAreTargets() {
    assertThat(TargetNamespaces.refusal(TARGETS, "patchops", "shop")).isEmpty();
    assertThat(TargetNamespaces.refusal(TARGETS, "patchops", "payments-eu")).isEmpty();
    assertThat(TargetNamespaces.refusal(TARGETS, "patchops", "shop-2"))
        .hasValueSatisfying(
            r -> {
              assertThat(r.gate()).isEqualTo(StartGate.Gate.TARGET_NAMESPACE);
              assertThat(r.reason())
                  .isEqualTo(
                      "namespace shop-2 is not on rollout.target-namespaces [shop, payments-*,"
                          + " kube-*, patchops]");
            });
    assertThat(TargetNamespaces.refusal(List.of(), "patchops", "shop"))
        .hasValueSatisfying(
            r ->
                assertThat(r.reason())
                    .isEqualTo(
                        "namespace shop is not on rollout.target-namespaces (empty: nothing may"
                            + " be rolled out)"));
  }

  @Test
  void aMissingNamespaceIsNeverATarget() {
    assertThat(TargetNamespaces.refusal(List.of("*"), "patchops", "")).isPresent();
    assertThat(TargetNamespaces.refusal(List.of("*"), "patchops", null)).isPresent();
  }
}
