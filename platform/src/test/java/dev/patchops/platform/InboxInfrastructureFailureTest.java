package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.platform.testapp.DatabaseOutageConsumer;
import dev.patchops.platform.testapp.TicketEffects;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.TestProducer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The database going away under a handler is the infrastructure's failure, not the event's: it must
 * not spend the event's attempts, so it is never dead-lettered for it.
 */
@QuarkusTest
@PatchOpsTest
class InboxInfrastructureFailureTest {
  @Inject TicketEffects effects;
  @Inject MeterRegistry registry;
  @Inject PlatformConfig config;
  @Inject DatabaseOutageConsumer outage;

  @Test
  void sessionsKilledMidHandlingMoreOftenThanTheAttemptsAllowDoNotDeadLetterTheEvent()
      throws Exception {
    String ticket = TicketEffects.WAITS_FOR_DATABASE + UUID.randomUUID();
    int kills = config.inbox().maxAttempts();
    double deadLetteredBefore = outcome("DEAD_LETTERED");
    Set<Integer> killed = new HashSet<>();
    try (Connection holder = TestInfra.superuserConnection()) {
      lock(holder, "select pg_advisory_lock(hashtext(?))", ticket);
      TestProducer.send(
          Topics.TICKETS,
          ticket,
          TestEvents.ticketOpenedJson(ticket, "survives its database"),
          TestEvents.headers(EventType.TICKET_OPENED, UUID.randomUUID().toString()));
      // As many times as the event has attempts: catch the handler waiting in its transaction and
      // terminate its session, as a database failover or an operator would.
      for (int i = 1; i <= kills; i++) {
        int attempt = i;
        int pid =
            await("handler waiting on the database, attempt " + attempt)
                .atMost(Duration.ofSeconds(30))
                .until(() -> AdvisoryLockWaiters.first(holder, killed), p -> p != 0);
        try (PreparedStatement kill = holder.prepareStatement("select pg_terminate_backend(?)")) {
          kill.setInt(1, pid);
          try (ResultSet rs = kill.executeQuery()) {
            rs.next();
            assertThat(rs.getBoolean(1)).isTrue();
          }
        }
        killed.add(pid);
        int handlerRuns = attempt;
        await().atMost(Duration.ofSeconds(30)).until(() -> effects.attempts(ticket) >= handlerRuns);
      }
      lock(holder, "select pg_advisory_unlock(hashtext(?))", ticket);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> InboxTest.effectCount(ticket) == 1);
    assertThat(effects.attempts(ticket))
        .as("handler runs: one per killed session, then the one that committed")
        .isEqualTo(kills + 1);
    assertThat(outcome("DEAD_LETTERED")).isEqualTo(deadLetteredBefore);
  }

  /**
   * A database that stays down: past the inbox's patience (40 s) the record is left unacknowledged,
   * its channel fails with the offset uncommitted, and it is never dead-lettered.
   */
  @Test
  void aDatabaseThatStaysDownLeavesTheRecordUncommittedAndNeverDeadLettersIt() throws Exception {
    String key = "TCK-DBDOWN-" + UUID.randomUUID();
    String goodId = UUID.randomUUID().toString();
    String downId = UUID.randomUUID().toString();
    String group = DatabaseOutageConsumer.GROUP;
    try (Admin admin = Admin.create(TestInfra.kafkaConfig())) {
      // One that goes through first, so the group demonstrably commits what it acknowledges.
      TestProducer.send(
          Topics.TESTS,
          key,
          TestEvents.ticketOpenedJson(key, "database up"),
          TestEvents.headers(EventType.TICKET_OPENED, goodId));
      ConsumerRecord<String, byte[]> good =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> withId(outage.processed(), goodId), r -> r != null);
      TopicPartition partition = new TopicPartition(good.topic(), good.partition());
      await("the good record's offset committed")
          .atMost(Duration.ofSeconds(30))
          .until(() -> committed(admin, group, partition) == good.offset() + 1);

      TestProducer.send(
          Topics.TESTS,
          key,
          TestEvents.ticketOpenedJson(key, DatabaseOutageConsumer.DOWN),
          TestEvents.headers(EventType.TICKET_OPENED, downId));
      ConsumerRecord<String, byte[]> down =
          await("the inbox giving up on its database")
              .atMost(Duration.ofSeconds(120))
              .until(() -> withId(outage.failed(), downId), r -> r != null);
      assertThat(outage.handlerRuns())
          .as("handler runs, none of them spending an attempt")
          .isGreaterThan(config.inbox().maxAttempts());
      assertThat(outcome(group, "DEAD_LETTERED")).isZero();
      await("the failed channel's consumer gone")
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  admin
                      .describeConsumerGroups(List.of(group))
                      .all()
                      .get()
                      .get(group)
                      .members()
                      .isEmpty());
      assertThat(committed(admin, group, partition))
          .as("the committed offset still points at the record")
          .isEqualTo(down.offset());
    }
  }

  private static ConsumerRecord<String, byte[]> withId(
      List<ConsumerRecord<String, byte[]>> records, String id) {
    return records.stream()
        .filter(r -> id.equals(KafkaProbe.header(r, CloudEventHeaders.ID)))
        .findFirst()
        .orElse(null);
  }

  private static long committed(Admin admin, String group, TopicPartition partition)
      throws Exception {
    OffsetAndMetadata offset =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
    return offset == null ? -1 : offset.offset();
  }

  private static void lock(Connection connection, String sql, String key) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, key);
      statement.execute();
    }
  }

  private double outcome(String outcome) {
    return outcome(TicketEffects.CONSUMER, outcome);
  }

  private double outcome(String consumer, String outcome) {
    Counter counter =
        registry
            .find("patchops.inbox.events")
            .tags("consumer", consumer, "outcome", outcome)
            .counter();
    return counter == null ? 0 : counter.count();
  }
}
