package dev.patchops.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.events.CanaryStepFailed;
import dev.patchops.contract.events.NodeDrained;
import dev.patchops.contract.events.RolloutAlertIgnored;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.schema.SamplePayloads;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class LimitsTest {
  private static final String IMAGE = "registry.example/shop/cart@sha256:" + "a".repeat(64);

  @Test
  void aPayloadWithinItsLimitsIsLeftAsItIs() {
    for (EventType type : EventType.values()) {
      PatchOpsEvent sample = SamplePayloads.full(type);
      Limits.Fitted<PatchOpsEvent> fitted = Limits.fit(sample);
      assertThat(fitted.payload()).as(type.type()).isSameAs(sample);
      assertThat(fitted.cuts()).as(type.type()).isEmpty();
    }
  }

  @Test
  void aLongTextKeepsItsStartAndSaysHowMuchWasCut() {
    String reason = "analysis failed: " + "x".repeat(100_000);
    var fitted = Limits.fit(failed(reason, List.of()));
    String cut = fitted.payload().reason();
    assertThat(cut).hasSize(Limit.TEXT).startsWith("analysis failed: xxx");
    int kept = cut.indexOf("… [truncated ");
    assertThat(cut.substring(kept))
        .isEqualTo(Limits.truncatedMarker(reason.length() - kept))
        .isEqualTo("… [truncated " + (reason.length() - kept) + " chars]");
    assertThat(fitted.cuts()).containsExactly("reason: 100017 -> 4000 characters");
  }

  @Test
  void aCutNeverSplitsACharacterOutsideTheBasicPlane() {
    String emoji = "\uD83D\uDE00"; // one code point, two chars
    var fitted = Limits.fit(failed(emoji.repeat(5_000), List.of()));
    String cut = fitted.payload().reason();
    assertThat(cut.codePointCount(0, cut.length())).isEqualTo(Limit.TEXT);
    String kept = cut.substring(0, cut.indexOf("…"));
    assertThat(kept.length() % 2).as("whole surrogate pairs").isZero();
    assertThat(kept.replace(emoji, "")).isEmpty();
  }

  @Test
  void aLongListKeepsItsFirstItemsAndNestedRecordsAreFittedToo() {
    List<AnalysisEvidence> evidence = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      evidence.add(new AnalysisEvidence("check-" + i, "s".repeat(5_000), "1.0", null, false));
    }
    var fitted = Limits.fit(failed("short", evidence));
    List<AnalysisEvidence> kept = fitted.payload().evidence();
    assertThat(kept).hasSize(48);
    assertThat(kept.get(0).check()).isEqualTo("check-0");
    assertThat(kept.get(47).check()).isEqualTo("check-47");
    assertThat(kept).allSatisfy(e -> assertThat(e.subject()).hasSize(1024).endsWith("chars]"));
    assertThat(fitted.payload().reason()).isEqualTo("short");
    assertThat(fitted.cuts()).contains("evidence: 10000 -> 48 items");
  }

  @Test
  void aLongListOfTextsEndsInAnItemSayingHowManyMoreThereWere() {
    List<String> pods = IntStream.range(0, 10_000).mapToObj(i -> "shop/cart-" + i).toList();
    var fitted = Limits.fit(drained(pods));
    List<String> kept = fitted.payload().evictedPods();
    assertThat(kept).hasSize(200);
    assertThat(kept.subList(0, 199)).isEqualTo(pods.subList(0, 199));
    assertThat(kept.get(199)).isEqualTo("… [truncated 9801 more items]");
  }

  @Test
  void aLargeMapKeepsItsFirstEntriesWithItsKeysAndValuesFitted() {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("k".repeat(600), "v".repeat(600));
    for (int i = 0; i < 100; i++) {
      labels.put("label-" + i, "value");
    }
    var ignored =
        new RolloutAlertIgnored(
            "TCK-1",
            "r-1",
            "HighLatency",
            "fp",
            null,
            labels,
            Instant.now(),
            "pod cart-1 -> Deployment cart",
            "severity",
            "SEV4 is not reverted on",
            Instant.now(),
            IMAGE,
            RolloutOrigin.APPROVAL,
            "alice");
    Map<String, String> kept = Limits.fit(ignored).payload().labels();
    assertThat(kept).hasSize(64).containsEntry("label-0", "value");
    assertThat(kept.keySet()).allSatisfy(k -> assertThat(k.length()).isLessThanOrEqualTo(512));
    assertThat(kept.values()).allSatisfy(v -> assertThat(v.length()).isLessThanOrEqualTo(512));
    assertThat(kept).containsEntry("…", "[truncated 38 more entries]");
  }

  @Test
  void aReferenceWithAPatternIsNeverCut() {
    String longImage = "r/" + "x".repeat(1_000) + "@sha256:" + "a".repeat(64);
    var step =
        new CanaryStepFailed(
            "TCK-1",
            "r-1",
            0,
            10,
            "r",
            List.of(),
            Instant.now(),
            longImage,
            RolloutOrigin.APPROVAL,
            "alice");
    assertThat(Limits.fit(step).payload().image()).isEqualTo(longImage);
  }

  private static CanaryStepFailed failed(String reason, List<AnalysisEvidence> evidence) {
    return new CanaryStepFailed(
        "TCK-1",
        "r-1",
        1,
        25,
        reason,
        evidence,
        Instant.now(),
        IMAGE,
        RolloutOrigin.APPROVAL,
        "alice");
  }

  private static NodeDrained drained(List<String> pods) {
    return new NodeDrained(
        "TCK-2",
        new EquipmentRef("node-7", EquipmentType.NODE, null),
        "node-7",
        pods,
        Instant.now());
  }
}
