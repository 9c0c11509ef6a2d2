package dev.patchops.testing;

import dev.patchops.devstack.JwtIssuer;
import dev.patchops.devstack.KafkaBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Test-side access to what {@link PatchOpsInfra} started. */
public final class TestInfra {
  private TestInfra() {}

  public static String bootstrapServers() {
    return required(PatchOpsInfra.BOOTSTRAP_PROPERTY);
  }

  /**
   * Kafka client settings of the harness: bootstrap servers and the broker's super user, which the
   * ACLs do not restrict. Mutable, for a test to add its own settings.
   */
  public static Map<String, Object> kafkaConfig() {
    return kafkaConfigAs(KafkaBroker.ADMIN);
  }

  /** Kafka client settings that log in as {@code user}, e.g. a service's KafkaUser. */
  public static Map<String, Object> kafkaConfigAs(String user) {
    Map<String, Object> config = new java.util.HashMap<>(kafkaBroker().clientConfig(user));
    // A test's own client needs no JMX metrics, and loading the reporter by name goes through the
    // thread's context class loader: inside a @QuarkusTest that can be Quarkus' loader, with its
    // own copy of the Kafka classes, and the client then fails with a ClassCastException
    // (seen in the ticket-service suite, depending on which test ran before).
    config.put("metric.reporters", "");
    return config;
  }

  /** {@link #kafkaConfig()} plus {@code extra}. */
  public static Map<String, Object> kafkaConfig(Map<String, ?> extra) {
    Map<String, Object> config = kafkaConfig();
    config.putAll(extra);
    return config;
  }

  /**
   * A superuser connection to the service's database, for tests that play an attacker or an
   * operator going around the service.
   */
  public static java.sql.Connection superuserConnection() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection(
        System.getProperty(PatchOpsInfra.JDBC_URL_PROPERTY),
        dev.patchops.devstack.PostgresServer.USER,
        dev.patchops.devstack.PostgresServer.PASSWORD);
  }

  /**
   * A connection as the role that owns the service's database and migrated it (see {@link
   * PatchOpsInfra#MIGRATION_USER_ARG}): the insider who is not a superuser.
   */
  public static java.sql.Connection ownerConnection() throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection(
        System.getProperty(PatchOpsInfra.JDBC_URL_PROPERTY),
        required(PatchOpsInfra.MIGRATION_USER_PROPERTY),
        required(PatchOpsInfra.MIGRATION_PASSWORD_PROPERTY));
  }

  /** The running broker, to stop and restart it in outage tests. */
  public static KafkaBroker kafkaBroker() {
    return KafkaBroker.attach(workspace().resolve("kafka"));
  }

  public static void restartKafka(KafkaBroker broker) {
    broker.start(Duration.ofSeconds(90));
  }

  /** {@code Authorization} header value for a user with the given roles. */
  public static String bearer(String user, String... roles) {
    return "Bearer " + issuer().mint(user, List.of(roles), Duration.ofMinutes(30));
  }

  private record LoadedIssuer(Path workspace, JwtIssuer issuer) {}

  private static volatile LoadedIssuer issuer;

  /**
   * The identity provider the services under test trust. Its keys are read once per workspace: an
   * IT that starts infrastructure of its own gets a new workspace, and new keys.
   */
  public static JwtIssuer issuer() {
    Path workspace = workspace();
    LoadedIssuer loaded = issuer;
    if (loaded == null || !loaded.workspace().equals(workspace)) {
      loaded =
          new LoadedIssuer(
              workspace,
              JwtIssuer.load(
                  workspace.resolve("jwt-private.pem"), workspace.resolve("jwt-public.pem")));
      issuer = loaded;
    }
    return loaded.issuer();
  }

  private static Path workspace() {
    return Path.of(required(PatchOpsInfra.WORKSPACE_PROPERTY));
  }

  private static String required(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(
          property + " is not set: is the test annotated with the module's test annotation?");
    }
    return value;
  }
}
