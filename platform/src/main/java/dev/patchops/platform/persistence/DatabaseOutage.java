package dev.patchops.platform.persistence;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/**
 * Whether a failure is the database being out of reach (restarted, failed over, its session killed,
 * the pool unable to hand out a connection) rather than anything about the request. Such a request
 * may simply be sent again, so the REST edge answers it 503 with {@code Retry-After}, never 500.
 */
public final class DatabaseOutage {
  private DatabaseOutage() {}

  /** The SQLSTATE classes of a lost connection, and PostgreSQL's shutdown and recovery states. */
  static boolean isOutageState(String sqlState) {
    return sqlState != null
        && (sqlState.startsWith("08") // connection exception
            || sqlState.equals("57P01") // admin_shutdown: the server or an operator ended it
            || sqlState.equals("57P02") // crash_shutdown
            || sqlState.equals("57P03")); // cannot_connect_now: starting up or in recovery
  }

  public static boolean causedBy(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SQLTransientConnectionException
          || t instanceof SQLNonTransientConnectionException) {
        return true;
      }
      if (t instanceof SQLException sql) {
        if (isOutageState(sql.getSQLState()) || isPoolTimeout(sql)) {
          return true;
        }
        SQLException next = sql.getNextException();
        if (next != null && next != sql && causedBy(next)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Agroal's pool gives up waiting for a connection with a plain SQLException and no state: its
   * message is the only sign, and it means no connection could be had in time.
   */
  private static boolean isPoolTimeout(SQLException e) {
    return e.getSQLState() == null
        && e.getMessage() != null
        && e.getMessage().startsWith("Acquisition timeout");
  }
}
