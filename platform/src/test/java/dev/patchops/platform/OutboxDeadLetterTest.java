package dev.patchops.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.Topics;
import dev.patchops.platform.messaging.Outbox;
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
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * An event larger than Kafka takes used to stop a service's outbox for good: the relay retried its
 * batch for ever, and every later event waited behind it.
 */
@QuarkusTest
@PatchOpsTest
class OutboxDeadLetterTest {
  private static final Pattern GAUGE =
      Pattern.compile("(?m)^patchops_outbox_dead_letters(?:\\{[^}]*\\})? ([0-9.E]+)$");

  @Inject Outbox outbox;
  @Inject AgroalDataSource dataSource;

  @Test
  void anEventKafkaRefusesIsSetAsideAndTheEventsAfterItStillFlow() throws Exception {
    String key = "TCK-" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 1_000_000_000L);
    String huge = "x".repeat(1_200_000);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      QuarkusTransaction.requiringNew()
          .run(() -> outbox.publish(TestEvents.opened(key, "before"), null, "w"));
      // The schemas bound every field a user fills, so no legal event grows this large any more;
      // a row written before the bounds, or by a field the services fill themselves, still can.
      // It is made so inside its own transaction: the relay never sees it small.
      QuarkusTransaction.requiringNew()
          .run(
              () -> {
                outbox.publish(TestEvents.opened(key, "huge"), null, "w");
                try (Connection c = dataSource.getConnection();
                    PreparedStatement grow =
                        c.prepareStatement(
                            "update outbox_event set payload = replace(payload, '\"huge\"', ?)"
                                + " where record_key = ? and payload like '%\"huge\"%'")) {
                  grow.setString(1, "\"" + huge + "\"");
                  grow.setString(2, key);
                  assertThat(grow.executeUpdate()).isOne();
                } catch (java.sql.SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      QuarkusTransaction.requiringNew()
          .run(() -> outbox.publish(TestEvents.opened(key, "after"), null, "w"));

      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(r -> key.equals(r.key()), 2, Duration.ofSeconds(60), Duration.ofSeconds(2));
      assertThat(records)
          .extracting(KafkaProbe::value)
          .hasSize(2)
          .satisfiesExactly(
              first -> assertThat(first).contains("\"before\""),
              second -> assertThat(second).contains("\"after\""));
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement aside =
            c.prepareStatement(
                "select reason, length(payload) from outbox_dead_letter where record_key = ?");
        PreparedStatement left =
            c.prepareStatement(
                "select count(*) from outbox_event where record_key = ? and sent_at is null")) {
      aside.setString(1, key);
      try (ResultSet rs = aside.executeQuery()) {
        assertThat(rs.next()).as("set aside").isTrue();
        assertThat(rs.getString(1)).startsWith("RecordTooLargeException");
        assertThat(rs.getInt(2)).isGreaterThan(1_200_000);
        assertThat(rs.next()).as("only the large one").isFalse();
      }
      left.setString(1, key);
      try (ResultSet rs = left.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).as("unsent events of the key").isZero();
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Matcher gauge = GAUGE.matcher(given().get("/q/metrics").asString());
              assertThat(gauge.find()).as("dead-letter gauge").isTrue();
              assertThat(Double.parseDouble(gauge.group(1))).isGreaterThanOrEqualTo(1.0);
            });
  }
}
