package dev.patchops.testing;

import static org.awaitility.Awaitility.await;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Markers for "exactly once": conditions that hold only once a second copy, if there were one,
 * would already be there to see. A test asserts the count after one of these, never after listening
 * for a while and hoping a duplicate would have come by then.
 */
public final class Delivered {
  static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Delivered() {}

  /**
   * Waits until {@code group} has committed an offset past {@code record} on its partition. The
   * services commit only what they have processed (enable.auto.commit=false), so the record and
   * everything before it on its partition, a redelivery included, has gone through the consumer's
   * inbox and its transaction is committed.
   */
  public static void consumed(String group, RecordMetadata record) {
    TopicPartition partition = new TopicPartition(record.topic(), record.partition());
    try (Admin admin = Admin.create(TestInfra.kafkaConfig())) {
      await()
          .atMost(TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> committed(admin, group, partition) > record.offset());
    }
  }

  private static long committed(Admin admin, String group, TopicPartition partition)
      throws InterruptedException, ExecutionException {
    OffsetAndMetadata offset =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(partition);
    return offset == null ? -1 : offset.offset();
  }

  /**
   * Waits until the outbox relay of this module's service has sent every event its database holds
   * at the time of the call: from then on, a KafkaProbe that reads to the end of the log has seen
   * each of them, and a duplicate written before the call too.
   */
  public static void outboxSent() {
    long upTo;
    try (var c = TestInfra.superuserConnection();
        var st = c.prepareStatement("select coalesce(max(id), 0) from outbox_event");
        var rs = st.executeQuery()) {
      rs.next();
      upTo = rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(50)).until(() -> unsent(upTo) == 0);
  }

  private static long unsent(long upTo) throws SQLException {
    try (var c = TestInfra.superuserConnection();
        var st =
            c.prepareStatement(
                "select count(*) from outbox_event where sent_at is null and id <= ?")) {
      st.setLong(1, upTo);
      try (var rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** {@link #consumed} then {@link #outboxSent}: a redelivered input and what it could emit. */
  public static Runnable consumedAndSent(String group, RecordMetadata record) {
    return () -> {
      consumed(group, record);
      outboxSent();
    };
  }
}
