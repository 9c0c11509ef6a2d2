package dev.patchops.platform.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class DatabaseOutageTest {
  @Test
  void aLostConnectionOrAServerShuttingDownIsAnOutage() {
    assertThat(DatabaseOutage.causedBy(new SQLException("I/O error", "08006"))).isTrue();
    assertThat(DatabaseOutage.causedBy(new SQLException("connection closed", "08003"))).isTrue();
    assertThat(DatabaseOutage.causedBy(new SQLException("administrator command", "57P01")))
        .isTrue();
    assertThat(DatabaseOutage.causedBy(new SQLException("starting up", "57P03"))).isTrue();
    assertThat(DatabaseOutage.causedBy(new SQLTransientConnectionException("refused"))).isTrue();
  }

  @Test
  void anOutageIsFoundUnderTheWrappersOfTheOrmAndTheTransaction() {
    Throwable wrapped =
        new IllegalStateException(
            "transaction rolled back",
            new RuntimeException("JDBC exception", new SQLException("closed", "08003")));
    assertThat(DatabaseOutage.causedBy(wrapped)).isTrue();
    SQLException batch = new SQLException("batch entry 0 failed", "0A000");
    batch.setNextException(new SQLException("connection lost", "08006"));
    assertThat(DatabaseOutage.causedBy(batch)).isTrue();
  }

  @Test
  void thePoolGivingUpOnAConnectionIsAnOutage() {
    assertThat(
            DatabaseOutage.causedBy(
                new SQLException("Acquisition timeout while waiting for new connection")))
        .isTrue();
  }

  @Test
  void whatTheRequestOrTheCodeCausedIsNot() {
    assertThat(DatabaseOutage.causedBy(new SQLException("duplicate key", "23505"))).isFalse();
    assertThat(DatabaseOutage.causedBy(new SQLException("deadlock detected", "40P01"))).isFalse();
    assertThat(DatabaseOutage.causedBy(new SQLException("no state"))).isFalse();
    assertThat(DatabaseOutage.causedBy(new IllegalStateException("bug"))).isFalse();
    assertThat(DatabaseOutage.causedBy(null)).isFalse();
  }
}
