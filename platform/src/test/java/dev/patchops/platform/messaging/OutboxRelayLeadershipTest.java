package dev.patchops.platform.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.ContractJson;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.arc.ClientProxy;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Relays as separate instances next to the application's own: who publishes, who takes over, who is
 * fenced, and what the leader cleans up. The application's relay is stopped for each test (its
 * session ends, releasing the leader lock) and started again afterwards.
 */
@QuarkusTest
@PatchOpsTest
class OutboxRelayLeadershipTest {
  @Inject OutboxRelay applicationRelay;
  @Inject PlatformConfig config;
  @Inject Outbox outbox;
  @Inject AgroalDataSource dataSource;

  @ConfigProperty(name = "quarkus.datasource.jdbc.url")
  String jdbcUrl;

  @ConfigProperty(name = "quarkus.datasource.username")
  Optional<String> username;

  @ConfigProperty(name = "quarkus.datasource.password")
  Optional<String> password;

  private final List<OutboxRelay> started = new ArrayList<>();

  @BeforeEach
  void stopTheApplicationsRelay() {
    app().onStop(null);
    await().atMost(Duration.ofSeconds(30)).until(() -> relaySessions() == 0);
  }

  @AfterEach
  void restoreTheApplicationsRelay() {
    started.forEach(relay -> relay.onStop(null));
    app().onStart(null);
  }

  @Test
  void onlyTheLockHolderPublishesAndAStandbyTakesOverWhenTheLeadersSessionEnds() throws Exception {
    String run = "TCK-TAKEOVER-" + UUID.randomUUID() + "-";
    SimpleMeterRegistry firstMetrics = new SimpleMeterRegistry();
    SimpleMeterRegistry secondMetrics = new SimpleMeterRegistry();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS)) {
      OutboxRelay first = start(config, firstMetrics);
      await().atMost(Duration.ofSeconds(30)).until(() -> leader(firstMetrics));
      start(config, secondMetrics);
      await("standby connected").atMost(Duration.ofSeconds(30)).until(() -> relaySessions() == 2);

      String before = run + "a";
      publish(before, "a1", "a2", "a3");
      assertThat(titles(probe.collect(r -> before.equals(r.key()), 3, Duration.ofSeconds(30))))
          .containsExactly("a1", "a2", "a3");
      // Counted once the rows are marked sent, just after the Kafka commit the probe saw.
      await().atMost(Duration.ofSeconds(30)).until(() -> published(firstMetrics) >= 3);
      assertThat(published(secondMetrics)).as("the standby published").isZero();
      assertThat(leader(secondMetrics)).isFalse();

      first.onStop(null);
      await("takeover").atMost(Duration.ofSeconds(30)).until(() -> leader(secondMetrics));
      String after = run + "b";
      publish(after, "b1", "b2", "b3");
      assertThat(titles(probe.collect(r -> after.equals(r.key()), 3, Duration.ofSeconds(30))))
          .containsExactly("b1", "b2", "b3");
      await().atMost(Duration.ofSeconds(30)).until(() -> published(secondMetrics) >= 3);
    }
  }

  /**
   * An old leader that lost its database session in the middle of a batch may still be running: its
   * Kafka transaction is open. The next leader's producer has the same transactional id, so
   * starting it aborts that transaction and fences the old producer: its batch never becomes
   * visible, and its commit fails.
   */
  @Test
  void aRelayCutOffMidBatchIsFencedByTheNextLeaderAndItsBatchNeverBecomesVisible()
      throws Exception {
    String key = "TCK-FENCE-" + UUID.randomUUID();
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS);
        Producer<String, byte[]> cutOff = KafkaProducers.transactional(config, "outbox")) {
      cutOff.beginTransaction();
      cutOff
          .send(
              new ProducerRecord<>(
                  Topics.TICKETS,
                  key,
                  ContractJson.mapper().writeValueAsBytes(opened(key, "stale"))))
          .get();

      publish(key, "fresh");
      start(config, metrics);
      await().atMost(Duration.ofSeconds(30)).until(() -> leader(metrics));
      assertThat(titles(probe.collect(r -> key.equals(r.key()), 1, Duration.ofSeconds(30))))
          .containsExactly("fresh");

      assertThatThrownBy(cutOff::commitTransaction).isInstanceOf(KafkaException.class);
      // A later event of the key proves the reader is past where the stale batch was written.
      publish(key, "marker");
      assertThat(titles(probe.collect(r -> key.equals(r.key()), 1, Duration.ofSeconds(30))))
          .containsExactly("marker");
    }
  }

  /**
   * The database lost right after a batch's Kafka commit, before the relay wrote {@code sent_at}:
   * once the database is back, the relay marks what Kafka already has instead of publishing it
   * again. The relay's update is held on a row lock, and its session killed there, as a database
   * restart would.
   */
  @Test
  void aBatchCommittedToKafkaWhoseMarkWasLostIsNotPublishedAgain() throws Exception {
    String key = "TCK-MARKLOST-" + UUID.randomUUID();
    publish(key, "once");
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TICKETS);
        Connection holder = dev.patchops.testing.TestInfra.superuserConnection()) {
      holder.setAutoCommit(false);
      try (PreparedStatement lock =
          holder.prepareStatement(
              "select id from outbox_event where ticket_id = ? and sent_at is null for update")) {
        lock.setString(1, key);
        try (ResultSet rs = lock.executeQuery()) {
          assertThat(rs.next()).as("the unsent row, locked").isTrue();
        }
      }
      start(config, new SimpleMeterRegistry());
      assertThat(titles(probe.collect(r -> key.equals(r.key()), 1, Duration.ofSeconds(30))))
          .containsExactly("once");
      int relay =
          await("the relay's update waiting on the row lock")
              .atMost(Duration.ofSeconds(30))
              .until(this::relayWaitingOnALock, pid -> pid != 0);
      assertThat(queryInt("select case when pg_terminate_backend(?) then 1 else 0 end", relay))
          .as("the relay's session killed")
          .isEqualTo(1);
      // Long enough for the reconnected relay to take the lead again and, were it to forget, to
      // publish the row a second time before its mark waits on the lock again.
      await("the relay back and waiting on the row lock")
          .atMost(Duration.ofSeconds(30))
          .until(this::relayWaitingOnALock, pid -> pid != 0 && pid != relay);
      holder.rollback();
      await("the row marked sent").atMost(Duration.ofSeconds(30)).until(() -> unsent(key) == 0);
      // A later event of the key proves the reader is past anything published before it.
      publish(key, "marker");
      assertThat(titles(probe.collect(r -> key.equals(r.key()), 1, Duration.ofSeconds(30))))
          .as("published again after the lost mark")
          .containsExactly("marker");
    }
  }

  private int relayWaitingOnALock() throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select pid from pg_stat_activity where application_name = ?"
                    + " and wait_event_type = 'Lock'")) {
      select.setString(1, config.serviceName() + "-outbox-relay");
      try (ResultSet rs = select.executeQuery()) {
        return rs.next() ? rs.getInt(1) : 0;
      }
    }
  }

  private int unsent(String ticketId) throws Exception {
    return queryInt(
        "select count(*) from outbox_event where ticket_id = ? and sent_at is null", ticketId);
  }

  /**
   * The leader deletes sent events past the retention, and never an unsent one however old. One
   * event per batch: the relay cleans up after its first batch, while the rest are still unsent.
   */
  @Test
  void sentEventsPastTheRetentionAreDeletedAndUnsentOnesNever() throws Exception {
    String run = "TCK-RETAIN-" + UUID.randomUUID() + "-";
    Duration retention = config.outbox().retention();
    Instant old = Instant.now().minus(retention).minus(Duration.ofDays(1));
    // The application's relay is stopped: nothing publishes while the rows are set up.
    UUID sentLongAgo = write(run + "sent-long-ago", old);
    UUID sentWithinRetention = write(run + "sent-recently", old);
    UUID unsentFirst = write(run + "unsent-1", old);
    UUID unsentSecond = write(run + "unsent-2", old);
    markSent(sentLongAgo, old.plus(Duration.ofMinutes(1)));
    markSent(sentWithinRetention, Instant.now().minus(retention).plus(Duration.ofHours(1)));

    SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    start(withBatchSize(config, 1), metrics);
    await("both unsent events published")
        .atMost(Duration.ofSeconds(60))
        .until(() -> pending(unsentFirst) == 0 && pending(unsentSecond) == 0);

    assertThat(exists(sentLongAgo)).as("sent before the retention").isFalse();
    assertThat(exists(sentWithinRetention)).as("sent within the retention").isTrue();
    assertThat(exists(unsentFirst)).as("old, unsent at the cleanup").isTrue();
    assertThat(exists(unsentSecond)).as("old, unsent at the cleanup").isTrue();
  }

  private OutboxRelay app() {
    return ClientProxy.unwrap(applicationRelay);
  }

  private OutboxRelay start(PlatformConfig relayConfig, MeterRegistry metrics) {
    OutboxRelay relay = new OutboxRelay(relayConfig, metrics, jdbcUrl, username, password);
    started.add(relay);
    relay.onStart(null);
    return relay;
  }

  /** The same configuration, but batches of the given size. */
  private static PlatformConfig withBatchSize(PlatformConfig config, int batchSize) {
    PlatformConfig.Outbox outbox =
        (PlatformConfig.Outbox)
            Proxy.newProxyInstance(
                PlatformConfig.Outbox.class.getClassLoader(),
                new Class<?>[] {PlatformConfig.Outbox.class},
                (proxy, method, args) ->
                    method.getName().equals("batchSize")
                        ? batchSize
                        : invoke(method, config.outbox(), args));
    return (PlatformConfig)
        Proxy.newProxyInstance(
            PlatformConfig.class.getClassLoader(),
            new Class<?>[] {PlatformConfig.class},
            (proxy, method, args) ->
                method.getName().equals("outbox") ? outbox : invoke(method, config, args));
  }

  private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args)
      throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static boolean leader(MeterRegistry metrics) {
    return metrics.get("patchops.outbox.leader").gauge().value() == 1;
  }

  private static double published(MeterRegistry metrics) {
    return metrics.get("patchops.outbox.published").counter().count();
  }

  private int relaySessions() throws Exception {
    return queryInt(
        "select count(*) from pg_stat_activity where application_name = ?",
        config.serviceName() + "-outbox-relay");
  }

  private void publish(String key, String... titles) {
    for (String title : titles) {
      QuarkusTransaction.requiringNew().run(() -> outbox.publish(opened(key, title), null, "t"));
    }
  }

  private UUID write(String key, Instant occurredAt) {
    Outbox.Event event = outbox.event(opened(key, key), null, "t");
    Outbox.Event older =
        new Outbox.Event(
            event.eventId(),
            event.type(),
            event.subject(),
            event.key(),
            event.ticketId(),
            event.actor(),
            event.body(),
            occurredAt);
    QuarkusTransaction.requiringNew().run(() -> outbox.write(List.of(older)));
    return event.eventId();
  }

  private void markSent(UUID eventId, Instant sentAt) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement update =
            connection.prepareStatement("update outbox_event set sent_at = ? where event_id = ?")) {
      update.setObject(1, OffsetDateTime.ofInstant(sentAt, ZoneOffset.UTC));
      update.setObject(2, eventId);
      assertThat(update.executeUpdate()).isEqualTo(1);
    }
  }

  private boolean exists(UUID eventId) throws Exception {
    return queryInt("select count(*) from outbox_event where event_id = ?", eventId) == 1;
  }

  private int pending(UUID eventId) throws Exception {
    return queryInt(
        "select count(*) from outbox_event where event_id = ? and sent_at is null", eventId);
  }

  private int queryInt(String sql, Object parameter) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql)) {
      select.setObject(1, parameter);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static List<String> titles(List<ConsumerRecord<String, byte[]>> records) {
    List<String> titles = new ArrayList<>();
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        titles.add(ContractJson.mapper().readValue(record.value(), TicketOpened.class).title());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return titles;
  }

  private static TicketOpened opened(String ticketId, String title) {
    return new TicketOpened(
        ticketId,
        TicketKind.SOFTWARE,
        title,
        null,
        Severity.SEV3,
        "alice",
        TicketSource.REST,
        new WorkloadRef("shop", "Deployment", "checkout"),
        null,
        null,
        Instant.now(),
        null);
  }
}
