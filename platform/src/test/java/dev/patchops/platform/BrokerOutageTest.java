package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.devstack.KafkaBroker;
import dev.patchops.platform.testapp.WidgetService;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class BrokerOutageTest {
  private static final int KEYS = 5;
  private static final int PER_KEY = 40;

  @Inject WidgetService widgets;
  @Inject AgroalDataSource dataSource;

  @Inject MeterRegistry registry;

  /** A broker restart: stop, writes go on, start again. */
  @Test
  void writesSucceedDuringARestartAndEveryEventArrivesOnceInOrderAfterwards() throws Exception {
    outage(Duration.ZERO);
  }

  /**
   * Longer than the delivery timeout (8 s in the test configuration): batches fail and are aborted,
   * the relay backs off, rebuilds its producer and resends them whole from the table.
   */
  @Test
  void outageLongerThanTheDeliveryTimeoutIsBridgedByTheRelaysBackoff() throws Exception {
    double failuresBefore = registry.counter("patchops.outbox.publish.failures").count();
    outage(Duration.ofSeconds(12));
    assertThat(registry.counter("patchops.outbox.publish.failures").count())
        .as("relay-level retries")
        .isGreaterThan(failuresBefore);
  }

  private void outage(Duration extraDowntime) throws Exception {
    String run = "OUTAGE" + System.nanoTime() + "-";
    KafkaBroker broker = TestInfra.kafkaBroker();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      int half = PER_KEY / 4;
      for (int seq = 0; seq < half; seq++) {
        writeRound(run, seq);
      }
      broker.stop();
      assertThat(broker.isRunning()).isFalse();
      try {
        for (int seq = half; seq < PER_KEY; seq++) {
          writeRound(run, seq);
        }
        assertThat(pendingRows(run)).as("events waiting for the broker").isPositive();
        // Pacing is the point here, not synchronisation: the broker stays down this long, so the
        // relay's delivery timeout and backoff run out while it waits.
        Thread.sleep(extraDowntime.toMillis());
      } finally {
        TestInfra.restartKafka(broker);
      }

      int total = KEYS * PER_KEY;
      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> r.key() != null && r.key().startsWith(run),
              total,
              Duration.ofSeconds(180),
              // Every row is sent: a copy resent after the outage would be in the log by then.
              Delivered::outboxSent);

      assertThat(records).hasSize(total);
      Set<String> ids = new HashSet<>();
      records.forEach(r -> ids.add(KafkaProbe.header(r, CloudEventHeaders.ID)));
      assertThat(ids).as("distinct CloudEvents ids").hasSize(total);

      Map<String, List<Integer>> sequenceByKey = new LinkedHashMap<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        TicketOpened event = ContractJson.mapper().readValue(record.value(), TicketOpened.class);
        int seq = Integer.parseInt(event.title().substring("seq-".length()));
        sequenceByKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(seq);
      }
      assertThat(sequenceByKey).hasSize(KEYS);
      List<Integer> expected = new ArrayList<>();
      for (int seq = 0; seq < PER_KEY; seq++) {
        expected.add(seq);
      }
      sequenceByKey.forEach(
          (key, seqs) -> assertThat(seqs).as("order of %s", key).isEqualTo(expected));
      assertThat(pendingRows(run)).isZero();
      assertThat(outboxIds(run)).as("ids are the ones fixed at write time").isEqualTo(ids);
    }
  }

  private void writeRound(String run, int seq) {
    for (int key = 0; key < KEYS; key++) {
      widgets.create("seq-" + seq, run + key, Severity.SEV2, "outage-test");
    }
  }

  private int pendingRows(String run) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select count(*) from outbox_event where record_key like ? and sent_at is null")) {
      select.setString(1, run + "%");
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private Set<String> outboxIds(String run) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select event_id from outbox_event where record_key like ?")) {
      select.setString(1, run + "%");
      Set<String> ids = new HashSet<>();
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    }
  }
}
