package dev.patchops.platform;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;

/**
 * Sessions waiting on an advisory transaction lock a test holds: how a test stops a request or a
 * handler at a known point, inside its transaction, and then kills exactly that session.
 */
final class AdvisoryLockWaiters {
  private AdvisoryLockWaiters() {}

  /**
   * The backend pid of a session waiting on an advisory lock, not one of {@code except}; 0: none.
   */
  static int first(Connection admin, Set<Integer> except) throws SQLException {
    try (PreparedStatement select =
            admin.prepareStatement(
                "select pid from pg_stat_activity where wait_event_type = 'Lock'"
                    + " and wait_event = 'advisory' and query like '%pg_advisory_xact_lock%'");
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        if (!except.contains(rs.getInt(1))) {
          return rs.getInt(1);
        }
      }
    }
    return 0;
  }
}
