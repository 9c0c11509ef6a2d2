package dev.patchops.audit.trail;

import dev.patchops.audit.config.AuditConfig;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.jboss.logging.Logger;

/**
 * Refuses to start when the service's own database role could change the trail: append-only must
 * not depend on an operator remembering which user the service connects as.
 */
@ApplicationScoped
public class AppendOnlyGuard {
  private static final Logger LOG = Logger.getLogger(AppendOnlyGuard.class);

  void check(@Observes StartupEvent event, AgroalDataSource dataSource, AuditConfig config)
      throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "select current_user, has_table_privilege('audit_record', 'UPDATE'),"
                    + " has_table_privilege('audit_record', 'DELETE'),"
                    + " has_table_privilege('audit_record', 'TRUNCATE')")) {
      rs.next();
      if (rs.getBoolean(2) || rs.getBoolean(3) || rs.getBoolean(4)) {
        String message =
            "database role "
                + rs.getString(1)
                + " may UPDATE, DELETE or TRUNCATE audit_record; run the service as a login role"
                + " granted patchops_audit_writer, and migrate with quarkus.flyway.username";
        if (!config.allowPrivilegedRole()) {
          throw new IllegalStateException(message);
        }
        LOG.warn(message + " (allowed by audit.allow-privileged-role)");
      }
    }
  }
}
