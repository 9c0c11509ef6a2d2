package dev.patchops.platform.messaging;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.platform.config.PlatformConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;

/**
 * Publishes committed outbox events to Kafka, in id order, and marks them sent once the broker has
 * acknowledged them ({@code acks=all}).
 *
 * <p>One relay per database publishes: the leader holds a PostgreSQL advisory lock on its own
 * connection, so replicas of a service never interleave a key's events. The leader sleeps in LISTEN
 * and wakes on the NOTIFY that the outbox trigger sends when a writing transaction commits. When
 * Kafka is unreachable the producer keeps retrying the same records (with the same sequence
 * numbers, so the broker drops duplicates); only past the delivery timeout does the relay back off,
 * rebuild the producer and resend from the table.
 */
@ApplicationScoped
public class OutboxRelay {
  private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
  private static final String CHANNEL = "patchops_outbox";
  private static final long LEADER_LOCK = 0x5041_5443_484f_5053L; // "PATCHOPS"
  private static final Duration CLEANUP_EVERY = Duration.ofMinutes(10);
  private static final String SELECT_PENDING =
      "select id, event_id, source, type, subject, topic, record_key, ticket_id, actor,"
          + " data_schema, payload, occurred_at from outbox_event where sent_at is null"
          + " order by id limit ?";
  private static final String MARK_SENT =
      "update outbox_event set sent_at = now(), attempts = attempts + 1 where id = any(?)";
  private static final String MOVE_ASIDE =
      "with moved as (delete from outbox_event where id = ? and sent_at is null returning *)"
          + " insert into outbox_dead_letter (id, event_id, source, type, subject, topic,"
          + " record_key, ticket_id, actor, data_schema, payload, occurred_at, reason)"
          + " select id, event_id, source, type, subject, topic, record_key, ticket_id, actor,"
          + " data_schema, payload, occurred_at, ? from moved";

  private final PlatformConfig config;
  private final String jdbcUrl;
  private final String username;
  private final String password;

  /**
   * Rows Kafka committed whose {@code sent_at} could not be written (the database went away right
   * after the Kafka commit). Marked first once the database is back, so that this relay does not
   * publish them a second time; only the relay's own thread touches it.
   */
  private final List<Long> committedUnmarked = new ArrayList<>();

  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean leader = new AtomicBoolean();
  private final AtomicLong pending = new AtomicLong();
  private final AtomicLong deadLetters = new AtomicLong();
  private final Counter published;
  private final Counter failures;
  private final Counter deadLettered;
  private final Timer latency;

  private volatile Thread thread;
  // Owned by the relay thread; the shutdown hook only reads the producer to unblock a send.
  private volatile Connection connection;
  private volatile Producer<String, byte[]> producer;
  private Instant lastCleanup = Instant.EPOCH;

  @Inject
  public OutboxRelay(
      PlatformConfig config,
      MeterRegistry registry,
      @ConfigProperty(name = "quarkus.datasource.jdbc.url") String jdbcUrl,
      @ConfigProperty(name = "quarkus.datasource.username") Optional<String> username,
      @ConfigProperty(name = "quarkus.datasource.password") Optional<String> password) {
    this.config = config;
    this.jdbcUrl = jdbcUrl;
    this.username = username.orElse(null);
    this.password = password.orElse(null);
    this.published =
        Counter.builder("patchops.outbox.published")
            .description("Outbox events acknowledged by Kafka")
            .register(registry);
    this.failures =
        Counter.builder("patchops.outbox.publish.failures")
            .description("Relay batches that failed and were retried")
            .register(registry);
    this.deadLettered =
        Counter.builder("patchops.outbox.dead.lettered")
            .description("Events set aside because Kafka refused them on their own")
            .register(registry);
    this.latency =
        Timer.builder("patchops.outbox.delivery")
            .description("From writing an event to its acknowledgement by Kafka")
            .publishPercentiles(0.5, 0.99)
            .register(registry);
    Gauge.builder("patchops.outbox.leader", leader, l -> l.get() ? 1 : 0)
        .description("1 when this instance's relay holds the publishing lock")
        .register(registry);
    Gauge.builder("patchops.outbox.pending", pending, AtomicLong::get)
        .description("Unsent events seen in the last relay pass")
        .register(registry);
    Gauge.builder("patchops.outbox.dead.letters", deadLetters, AtomicLong::get)
        .description("Events Kafka refused on their own (too large), set aside for an operator")
        .register(registry);
  }

  void onStart(@Observes StartupEvent event) {
    if (!config.outbox().relayEnabled()) {
      LOG.warn("outbox relay disabled by configuration: events will not be published");
      return;
    }
    running.set(true);
    thread = new Thread(this::run, "outbox-relay");
    thread.setDaemon(true);
    thread.start();
  }

  void onStop(@Observes ShutdownEvent event) {
    running.set(false);
    Thread relay = thread;
    if (relay == null) {
      return;
    }
    relay.interrupt();
    Producer<String, byte[]> current = producer;
    if (current != null) {
      // Unblocks a commit that waits for an unreachable broker; the batch stays pending.
      try {
        current.close(Duration.ofSeconds(1));
      } catch (RuntimeException ignored) {
        // The relay thread may be closing it at the same time.
      }
    }
    try {
      relay.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    Duration backoff = config.outbox().backoffInitial();
    while (running.get()) {
      try {
        if (!ensureLeadership()) {
          sleep(config.outbox().pollInterval());
          continue;
        }
        int sent = publishBatch();
        backoff = config.outbox().backoffInitial();
        cleanupIfDue();
        if (sent < config.outbox().batchSize()) {
          awaitNotification(config.outbox().pollInterval());
          if (sent > 0 && !config.outbox().linger().isZero()) {
            sleep(config.outbox().linger());
          }
        }
      } catch (SQLException e) {
        if (running.get()) {
          LOG.warnf("outbox relay lost its database connection, retrying: %s", e.getMessage());
        }
        closeConnection();
        sleep(backoff);
        backoff = next(backoff);
      } catch (PublishException e) {
        failures.increment();
        if (running.get()) {
          LOG.warnf("outbox relay could not publish, retrying in %s: %s", backoff, e.getMessage());
        }
        closeProducer();
        sleep(backoff);
        backoff = next(backoff);
      } catch (RuntimeException e) {
        if (running.get()) {
          LOG.error("outbox relay failed unexpectedly, retrying", e);
        }
        closeProducer();
        sleep(backoff);
        backoff = next(backoff);
      }
    }
    closeProducer();
    closeConnection();
  }

  private boolean ensureLeadership() throws SQLException {
    if (connection == null || connection.isClosed()) {
      leader.set(false);
      Properties props = new Properties();
      if (username != null) {
        props.setProperty("user", username);
      }
      if (password != null) {
        props.setProperty("password", password);
      }
      props.setProperty("tcpKeepAlive", "true");
      props.setProperty("ApplicationName", config.serviceName() + "-outbox-relay");
      connection = DriverManager.getConnection(jdbcUrl, props);
      // A half-open connection must fail, not hang the leader forever.
      connection.setNetworkTimeout(Runnable::run, 60_000);
      connection.setAutoCommit(true);
    }
    if (!leader.get()) {
      try (PreparedStatement lock = connection.prepareStatement("select pg_try_advisory_lock(?)")) {
        lock.setLong(1, LEADER_LOCK);
        try (ResultSet rs = lock.executeQuery()) {
          rs.next();
          leader.set(rs.getBoolean(1));
        }
      }
      if (leader.get()) {
        // Only the leader listens: a standby would queue every notification unread.
        try (Statement statement = connection.createStatement()) {
          statement.execute("listen " + CHANNEL);
        }
        LOG.infof("outbox relay of %s is the publishing leader", config.serviceName());
        countDeadLetters();
      }
    }
    return leader.get();
  }

  private int publishBatch() throws SQLException {
    markCommitted();
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement select = connection.prepareStatement(SELECT_PENDING)) {
      select.setInt(1, config.outbox().batchSize());
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          rows.add(Row.from(rs));
        }
      }
    }
    pending.set(rows.size());
    if (rows.isEmpty()) {
      return 0;
    }
    List<Row> sent;
    try {
      sendInOneTransaction(rows);
      sent = rows;
    } catch (PublishException e) {
      if (RecordFaults.reason(e) == null) {
        throw e;
      }
      // Some record of the batch can never be sent. Find it by sending the rows one at a time, so
      // that it alone is set aside and the events after it still flow.
      closeProducer();
      sent = sendOneByOne(rows);
    }
    Instant acked = Instant.now();
    for (Row row : sent) {
      latency.record(Duration.between(row.occurredAt, acked));
    }
    published.increment(sent.size());
    pending.addAndGet(-sent.size());
    return rows.size();
  }

  private void sendInOneTransaction(List<Row> rows) throws SQLException {
    Producer<String, byte[]> kafka = producer();
    try {
      kafka.beginTransaction();
      for (Row row : rows) {
        kafka.send(row.toRecord());
      }
      // Flushes, and fails if any record failed: then nothing of the batch becomes visible.
      kafka.commitTransaction();
    } catch (RuntimeException e) {
      throw new PublishException(e);
    }
    rows.forEach(row -> committedUnmarked.add(row.id()));
    markCommitted();
  }

  private void markCommitted() throws SQLException {
    if (!committedUnmarked.isEmpty()) {
      markSent(committedUnmarked);
      committedUnmarked.clear();
    }
  }

  /** The rows sent; a row Kafka refuses for itself is moved to outbox_dead_letter instead. */
  private List<Row> sendOneByOne(List<Row> rows) throws SQLException {
    List<Row> sent = new ArrayList<>(rows.size());
    for (Row row : rows) {
      try {
        sendInOneTransaction(List.of(row));
        sent.add(row);
      } catch (PublishException e) {
        String reason = RecordFaults.reason(e);
        if (reason == null) {
          throw e;
        }
        closeProducer();
        moveAside(row, reason);
      }
    }
    return sent;
  }

  private void moveAside(Row row, String reason) throws SQLException {
    try (PreparedStatement move = connection.prepareStatement(MOVE_ASIDE)) {
      move.setLong(1, row.id);
      move.setString(2, reason);
      move.executeUpdate();
    }
    deadLettered.increment();
    countDeadLetters();
    LOG.errorf(
        "outbox event %s (%s, %s bytes) set aside in outbox_dead_letter: %s",
        row.eventId, row.type, row.payload.length(), reason);
  }

  private void countDeadLetters() throws SQLException {
    try (Statement count = connection.createStatement();
        ResultSet rs = count.executeQuery("select count(*) from outbox_dead_letter")) {
      rs.next();
      deadLetters.set(rs.getLong(1));
    }
  }

  private void markSent(List<Long> ids) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement update = connection.prepareStatement(MARK_SENT)) {
      Array array = connection.createArrayOf("bigint", ids.toArray());
      update.setArray(1, array);
      update.executeUpdate();
    }
  }

  private void cleanupIfDue() throws SQLException {
    Instant now = Instant.now();
    if (Duration.between(lastCleanup, now).compareTo(CLEANUP_EVERY) < 0) {
      return;
    }
    lastCleanup = now;
    try (PreparedStatement delete =
        connection.prepareStatement(
            "delete from outbox_event where sent_at is not null and sent_at < ?")) {
      delete.setObject(
          1,
          OffsetDateTime.ofInstant(
              now.minus(config.outbox().retention()), java.time.ZoneOffset.UTC));
      delete.executeUpdate();
    }
  }

  private void awaitNotification(Duration timeout) throws SQLException {
    PGConnection pg = connection.unwrap(PGConnection.class);
    // Returns at once, and drains the queue, if commits notified us while we were publishing.
    pg.getNotifications((int) Math.max(1, timeout.toMillis()));
  }

  private Producer<String, byte[]> producer() {
    if (producer == null) {
      producer = KafkaProducers.transactional(config, "outbox");
    }
    return producer;
  }

  private void closeProducer() {
    if (producer != null) {
      try {
        // Closing aborts an open transaction: the batch is resent whole by the next producer.
        producer.close(Duration.ofSeconds(1));
      } catch (RuntimeException ignored) {
        // Already closed by shutdown.
      }
      producer = null;
    }
  }

  private void closeConnection() {
    leader.set(false);
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // The session is gone either way, and with it the advisory lock and LISTEN.
      }
      connection = null;
    }
  }

  private Duration next(Duration backoff) {
    Duration doubled = backoff.multipliedBy(2);
    return doubled.compareTo(config.outbox().backoffMax()) > 0
        ? config.outbox().backoffMax()
        : doubled;
  }

  private void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running.set(false);
    }
  }

  private static final class PublishException extends RuntimeException {
    PublishException(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  private record Row(
      long id,
      String eventId,
      String source,
      String type,
      String subject,
      String topic,
      String key,
      String ticketId,
      String actor,
      String dataSchema,
      String payload,
      Instant occurredAt) {

    static Row from(ResultSet rs) throws SQLException {
      return new Row(
          rs.getLong("id"),
          rs.getString("event_id"),
          rs.getString("source"),
          rs.getString("type"),
          rs.getString("subject"),
          rs.getString("topic"),
          rs.getString("record_key"),
          rs.getString("ticket_id"),
          rs.getString("actor"),
          rs.getString("data_schema"),
          rs.getString("payload"),
          rs.getObject("occurred_at", OffsetDateTime.class).toInstant());
    }

    ProducerRecord<String, byte[]> toRecord() {
      ProducerRecord<String, byte[]> record =
          new ProducerRecord<>(topic, key, payload.getBytes(StandardCharsets.UTF_8));
      header(record, CloudEventHeaders.ID, eventId);
      header(record, CloudEventHeaders.SOURCE, source);
      header(record, CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE);
      header(record, CloudEventHeaders.TYPE, type);
      header(record, CloudEventHeaders.TIME, DateTimeFormatter.ISO_INSTANT.format(occurredAt));
      header(record, CloudEventHeaders.DATA_SCHEMA, dataSchema);
      header(record, CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.CONTENT_TYPE_JSON);
      header(record, CloudEventHeaders.SUBJECT, subject);
      header(record, CloudEventHeaders.TICKET_ID, ticketId);
      header(record, CloudEventHeaders.ACTOR, actor);
      return record;
    }

    private static void header(ProducerRecord<String, byte[]> record, String name, String value) {
      if (value != null) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
