package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.TicketOpened;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** Per-key order when several transactions publish for one key at the same time. */
@QuarkusTest
@PatchOpsTest
class OutboxKeyOrderTest {
  @Inject Outbox outbox;
  @Inject AgroalDataSource dataSource;

  /**
   * The second writer of a key must wait for the first to end: were it to commit first, the relay
   * would publish its event before the first one's.
   */
  @Test
  void aSecondWriterOfAKeyWaitsForTheFirstAndIsPublishedAfterIt() throws Exception {
    String key = "TCK-ORDER-" + UUID.randomUUID();
    ExecutorService writers = Executors.newFixedThreadPool(2);
    CountDownLatch firstWritten = new CountDownLatch(1);
    CountDownLatch releaseFirst = new CountDownLatch(1);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      Future<?> first =
          writers.submit(
              () ->
                  QuarkusTransaction.requiringNew()
                      .run(
                          () -> {
                            outbox.publish(TestEvents.opened(key, "first"), null, "w1");
                            firstWritten.countDown();
                            waitFor(releaseFirst);
                          }));
      assertThat(firstWritten.await(30, TimeUnit.SECONDS)).isTrue();
      Future<?> second =
          writers.submit(
              () ->
                  QuarkusTransaction.requiringNew()
                      .run(() -> outbox.publish(TestEvents.opened(key, "second"), null, "w2")));
      try {
        await("second writer queued on the key's lock")
            .atMost(Duration.ofSeconds(30))
            .until(this::writersWaitingOnALock, n -> n >= 1);
        assertThat(second).as("second writer").isNotDone();
      } finally {
        releaseFirst.countDown();
      }
      first.get(30, TimeUnit.SECONDS);
      second.get(30, TimeUnit.SECONDS);

      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(r -> key.equals(r.key()), 2, Duration.ofSeconds(30));
      assertThat(records).extracting(OutboxKeyOrderTest::title).containsExactly("first", "second");
      assertThat(keySeqs(key)).containsExactly(1L, 2L);
    } finally {
      writers.shutdownNow();
    }
  }

  /** Many writers, few keys: every key's events reach Kafka in the order of their commits. */
  @Test
  void concurrentWritersOfTheSameKeysArePublishedPerKeyInCommitOrder() throws Exception {
    String run = "TCK-CONC-" + UUID.randomUUID() + "-";
    int writers = 6;
    int perWriter = 20;
    int keys = 2;
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    CountDownLatch go = new CountDownLatch(1);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      List<Future<?>> done = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        done.add(
            pool.submit(
                () -> {
                  waitFor(go);
                  for (int i = 0; i < perWriter; i++) {
                    String title = "w" + writer + "-" + i;
                    String key = run + (i % keys);
                    QuarkusTransaction.requiringNew()
                        .run(() -> outbox.publish(TestEvents.opened(key, title), null, "writer"));
                  }
                }));
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
      int total = writers * perWriter;
      List<ConsumerRecord<String, byte[]>> records =
          probe.collect(
              r -> r.key() != null && r.key().startsWith(run), total, Duration.ofSeconds(60));
      assertThat(records).hasSize(total);

      Map<String, List<String>> published = new LinkedHashMap<>();
      for (ConsumerRecord<String, byte[]> record : records) {
        published.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(title(record));
      }
      assertThat(published).hasSize(keys);
      for (Map.Entry<String, List<String>> entry : published.entrySet()) {
        // key_seq is taken under the key's row lock, so it is the key's commit order.
        assertThat(entry.getValue())
            .as("published order of %s", entry.getKey())
            .isEqualTo(titlesBySeq(entry.getKey()));
        // And each writer's own events of the key keep its program order.
        Map<String, Integer> lastOfWriter = new HashMap<>();
        for (String title : entry.getValue()) {
          String writer = title.substring(0, title.indexOf('-'));
          int i = Integer.parseInt(title.substring(title.indexOf('-') + 1));
          assertThat(i)
              .as("%s after %s", title, lastOfWriter.get(writer))
              .isGreaterThan(lastOfWriter.getOrDefault(writer, -1));
          lastOfWriter.put(writer, i);
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private int writersWaitingOnALock() throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select count(*) from pg_stat_activity where wait_event_type = 'Lock'"
                    + " and query like 'with seq as (insert into outbox_key_seq%'")) {
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The key's events as the outbox numbered them: 1, 2, 3, … without a gap. */
  private List<String> titlesBySeq(String key) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select key_seq, payload from outbox_event where record_key = ? order by key_seq")) {
      select.setString(1, key);
      List<String> titles = new ArrayList<>();
      try (ResultSet rs = select.executeQuery()) {
        long expected = 1;
        while (rs.next()) {
          assertThat(rs.getLong(1)).as("key_seq of %s", key).isEqualTo(expected++);
          titles.add(ContractJson.mapper().readValue(rs.getString(2), TicketOpened.class).title());
        }
      }
      return titles;
    }
  }

  private List<Long> keySeqs(String key) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select key_seq from outbox_event where record_key = ? order by id")) {
      select.setString(1, key);
      List<Long> seqs = new ArrayList<>();
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          seqs.add(rs.getLong(1));
        }
      }
      return seqs;
    }
  }

  private static String title(ConsumerRecord<String, byte[]> record) {
    try {
      return ContractJson.mapper().readValue(record.value(), TicketOpened.class).title();
    } catch (Exception e) {
      throw new IllegalStateException(
          "not a ticket.opened: " + KafkaProbe.header(record, CloudEventHeaders.TYPE), e);
    }
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
