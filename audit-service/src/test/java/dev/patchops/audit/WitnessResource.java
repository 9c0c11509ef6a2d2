package dev.patchops.audit;

import dev.patchops.contract.schema.KafkaAccess;
import dev.patchops.devstack.JwtIssuer;
import dev.patchops.devstack.KafkaBroker;
import dev.patchops.devstack.PostgresAdmin;
import dev.patchops.devstack.PostgresServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Runs the audit witness beside the service in the test JVM, as an outsider: its own database and
 * login role on the server (the service's roles have no access to it), its own consumer group, an
 * auditor token for the service's REST API, its own Kafka user, and nothing else. Starts after
 * {@code PatchOpsInfra}, whose server and JWT key it uses.
 */
public class WitnessResource implements QuarkusTestResourceLifecycleManager {
  public static final String DATABASE = "audit_witness";
  public static final String USER = "audit_witness";

  @Override
  public int order() {
    return 100;
  }

  @Override
  public Map<String, String> start() {
    String serviceDbUrl = System.getProperty("devstack.test.jdbc-url");
    String serverUrl = serviceDbUrl.substring(0, serviceDbUrl.lastIndexOf('/') + 1);
    PostgresAdmin admin =
        new PostgresAdmin(serverUrl, PostgresServer.USER, PostgresServer.PASSWORD);
    String password = UUID.randomUUID().toString();
    admin.createLoginRole(USER, password);
    admin.createDatabase(DATABASE);
    try (Connection c =
            DriverManager.getConnection(
                admin.jdbcUrl("postgres"), PostgresServer.USER, PostgresServer.PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("alter database " + DATABASE + " owner to " + USER);
      s.execute("revoke all on database " + DATABASE + " from public");
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("cannot set up the witness's database", e);
    }
    Path workspace = Path.of(System.getProperty("devstack.test.workspace"));
    JwtIssuer issuer =
        JwtIssuer.load(workspace.resolve("jwt-private.pem"), workspace.resolve("jwt-public.pem"));
    String token = issuer.mint("audit-witness", List.of("auditor"), Duration.ofHours(12));
    return Map.of(
        "audit.witness.enabled",
        "true",
        "audit.witness.interval",
        "off",
        "audit.witness.service-url",
        "http://localhost:${quarkus.http.test-port:8081}",
        "audit.witness.token",
        token,
        "quarkus.datasource.witness.jdbc.url",
        admin.jdbcUrl(DATABASE),
        "quarkus.datasource.witness.username",
        USER,
        "quarkus.datasource.witness.password",
        password,
        "audit.witness.kafka-user",
        KafkaAccess.Client.AUDIT_WITNESS.user(),
        "audit.witness.kafka-password",
        KafkaBroker.attach(workspace.resolve("kafka"))
            .password(KafkaAccess.Client.AUDIT_WITNESS.user()));
  }

  @Override
  public void stop() {}
}
