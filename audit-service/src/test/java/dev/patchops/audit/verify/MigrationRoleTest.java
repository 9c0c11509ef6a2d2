package dev.patchops.audit.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.audit.WithAuditInfra;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * Migrations run as the owner, the service as a role that holds neither the owner nor any right to
 * change the trail: what the running service can be made to do cannot include a rewrite.
 */
@QuarkusTest
@WithAuditInfra
class MigrationRoleTest {
  @Inject AgroalDataSource serviceDataSource;

  @Test
  void theServiceRunsAsARoleThatDoesNotHoldTheOwnerThatMigrated() throws Exception {
    try (Connection service = serviceDataSource.getConnection();
        Statement s = service.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select current_user,"
                    + " (select tableowner from pg_tables where tablename = 'audit_record'),"
                    + " (select tableowner from pg_tables where tablename = 'audit_checkpoint'),"
                    + " pg_has_role(current_user, '"
                    + WithAuditInfra.OWNER
                    + "', 'MEMBER'),"
                    + " has_schema_privilege('public', 'CREATE'),"
                    + " has_table_privilege('audit_record', 'INSERT'),"
                    + " has_table_privilege('audit_record', 'UPDATE'),"
                    + " has_table_privilege('audit_record', 'DELETE'),"
                    + " has_table_privilege('audit_checkpoint', 'UPDATE'),"
                    + " (select array_agg(distinct installed_by) from flyway_schema_history)::text,"
                    + " (select rolsuper from pg_roles where rolname = '"
                    + WithAuditInfra.OWNER
                    + "')")) {
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(WithAuditInfra.RUNTIME_USER);
      assertThat(rs.getString(2)).isEqualTo(WithAuditInfra.OWNER);
      assertThat(rs.getString(3)).isEqualTo(WithAuditInfra.OWNER);
      assertThat(rs.getBoolean(4)).as("service holds the owner role").isFalse();
      assertThat(rs.getBoolean(5)).as("service may create objects").isFalse();
      assertThat(rs.getBoolean(6)).as("service may append").isTrue();
      assertThat(rs.getBoolean(7)).as("service may update the trail").isFalse();
      assertThat(rs.getBoolean(8)).as("service may delete from the trail").isFalse();
      assertThat(rs.getBoolean(9)).as("service may update checkpoints").isFalse();
      assertThat(rs.getString(10)).isEqualTo("{" + WithAuditInfra.OWNER + "}");
      assertThat(rs.getBoolean(11)).as("the owner is a superuser").isFalse();
    }
  }
}
