package dev.patchops.platform.messaging;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/** Remembers which events a consumer has processed, in the same transaction as their effect. */
@ApplicationScoped
public class Inbox {
  private static final String RECORD =
      "insert into inbox_event (consumer, event_source, event_id, event_type, topic,"
          + " kafka_partition, kafka_offset) values (?, ?, ?, ?, ?, ?, ?)"
          + " on conflict do nothing";

  private final AgroalDataSource dataSource;

  @Inject
  public Inbox(AgroalDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * @return true the first time this consumer sees the event; false for a redelivery. A concurrent
   *     delivery of the same event waits on the primary key until the first one commits or rolls
   *     back, so exactly one of them gets true.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean firstDelivery(String consumer, IncomingEvent event) {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert = connection.prepareStatement(RECORD)) {
      insert.setString(1, consumer);
      insert.setString(2, event.source());
      insert.setString(3, event.id());
      insert.setString(4, event.type().type());
      insert.setString(5, event.topic());
      insert.setInt(6, event.partition());
      insert.setLong(7, event.offset());
      return insert.executeUpdate() == 1;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record inbox entry", e);
    }
  }
}
