package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Limit;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.CanaryStepFailed;
import dev.patchops.contract.events.NodeDrained;
import dev.patchops.contract.events.RolloutReverted;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.platform.messaging.EventSchemas;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A service must be able to record what it did however much text it produced: a revert whose reason
 * carries a 100 KB exception message and 10,000 lines of analysis evidence, a drain that evicted
 * 10,000 pods. Published through the real outbox, each ends up as one record that its schema
 * accepts, cut with a visible marker, instead of a refused transition.
 */
@QuarkusTest
@PatchOpsTest
class OutboxFitTest {
  private static final String IMAGE = "registry.example/shop/cart@sha256:" + "c".repeat(64);

  @Inject Outbox outbox;
  @Inject EventSchemas schemas;
  @Inject AgroalDataSource dataSource;

  @Test
  void aRevertWithHugeReasonAndEvidenceAndADrainOfTenThousandPodsAreEachOneValidRecord()
      throws Exception {
    String run = UUID.randomUUID().toString().substring(0, 8);
    String failedKey = "TCK-fit-failed-" + run;
    String revertedKey = "TCK-fit-reverted-" + run;
    String drainedKey = "TCK-fit-drained-" + run;
    String reason = "analysis failed: " + "e".repeat(100 * 1024);
    List<AnalysisEvidence> evidence =
        IntStream.range(0, 10_000)
            .mapToObj(
                i ->
                    new AnalysisEvidence(
                        "prometheus:error-rate-" + i,
                        "sum(rate(http_requests_total{code=~\"5..\"}[1m])) " + "q".repeat(2_000),
                        "0." + i,
                        "< 0.01",
                        false))
            .toList();
    List<String> pods = IntStream.range(0, 10_000).mapToObj(i -> "shop/cart-7f9c-" + i).toList();

    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                outbox.publish(
                    new CanaryStepFailed(
                        failedKey,
                        "r-" + run,
                        2,
                        25,
                        reason,
                        evidence,
                        Instant.now(),
                        IMAGE,
                        RolloutOrigin.APPROVAL,
                        "alice"),
                    "rollouts/r-" + run,
                    "rollout-service");
                outbox.publish(
                    new RolloutReverted(
                        revertedKey,
                        "r-" + run,
                        3,
                        RevertTrigger.ANALYSIS,
                        reason,
                        evidence,
                        Instant.now(),
                        IMAGE,
                        RolloutOrigin.APPROVAL,
                        "alice"),
                    "rollouts/r-" + run,
                    "rollout-service");
                outbox.publish(
                    new NodeDrained(
                        drainedKey,
                        new EquipmentRef("node-" + run, EquipmentType.NODE, null),
                        "node-" + run,
                        pods,
                        Instant.now()),
                    "equipment/node-" + run,
                    "rollout-service");
              });

      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> List.of(failedKey, revertedKey, drainedKey).contains(r.key()),
              3,
              Duration.ofSeconds(60),
              Delivered::outboxSent);
      Map<String, List<ConsumerRecord<String, byte[]>>> byKey =
          records.stream().collect(Collectors.groupingBy(ConsumerRecord::key));
      assertThat(byKey).containsOnlyKeys(failedKey, revertedKey, drainedKey);
      assertThat(byKey.values()).allSatisfy(one -> assertThat(one).hasSize(1));

      for (ConsumerRecord<String, byte[]> record : records) {
        EventType type =
            EventType.fromType(KafkaProbe.header(record, CloudEventHeaders.TYPE)).orElseThrow();
        JsonNode payload = ContractJson.mapper().readTree(record.value());
        assertThat(schemas.violations(type, payload)).as(type.type()).isEmpty();
        assertThat(record.value().length).as(type.type()).isLessThan(1024 * 1024);
      }

      for (String key : List.of(failedKey, revertedKey)) {
        JsonNode payload = ContractJson.mapper().readTree(byKey.get(key).get(0).value());
        String cutReason = payload.path("reason").asText();
        assertThat(cutReason)
            .hasSize(Limit.TEXT)
            .startsWith("analysis failed: eee")
            .matches("(?s).*… \\[truncated \\d+ chars]$");
        JsonNode kept = payload.path("evidence");
        assertThat(kept.size()).isEqualTo(48);
        assertThat(kept.get(0).path("check").asText()).isEqualTo("prometheus:error-rate-0");
        assertThat(kept.get(47).path("check").asText()).isEqualTo("prometheus:error-rate-47");
        assertThat(kept.get(0).path("subject").asText()).hasSize(1024).endsWith("chars]");
      }

      JsonNode drained = ContractJson.mapper().readTree(byKey.get(drainedKey).get(0).value());
      JsonNode evicted = drained.path("evictedPods");
      assertThat(evicted.size()).isEqualTo(200);
      assertThat(evicted.get(0).asText()).isEqualTo("shop/cart-7f9c-0");
      assertThat(evicted.get(198).asText()).isEqualTo("shop/cart-7f9c-198");
      assertThat(evicted.get(199).asText()).isEqualTo("… [truncated 9801 more items]");
    }

    try (Connection c = dataSource.getConnection();
        PreparedStatement aside =
            c.prepareStatement(
                "select count(*) from outbox_dead_letter where record_key in (?, ?, ?)")) {
      aside.setString(1, failedKey);
      aside.setString(2, revertedKey);
      aside.setString(3, drainedKey);
      try (ResultSet rs = aside.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).as("rows set aside").isZero();
      }
    }
  }
}
