package dev.patchops.testing;

import dev.patchops.contract.Topics;
import dev.patchops.contract.schema.KafkaAccess;
import dev.patchops.devstack.JwtIssuer;
import dev.patchops.devstack.KafkaBroker;
import dev.patchops.devstack.PostgresServer;
import dev.patchops.devstack.Workspace;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;

/**
 * Starts the real infrastructure a service's {@code @QuarkusTest}s talk to: a KRaft Kafka broker
 * process, a PostgreSQL server with the service's database, its topics, and a JWT key pair. Dev
 * Services stay off; nothing here needs Docker.
 *
 * <p>State is handed to test code through system properties and files rather than static fields,
 * because Quarkus loads test resources and test classes in different class loaders.
 */
public class PatchOpsInfra implements QuarkusTestResourceLifecycleManager {
  public static final String DATABASE_ARG = "database";

  /**
   * A login role the service runs as, instead of the superuser. Flyway still migrates as the
   * superuser, so the service's migrations decide what the role may do.
   */
  public static final String RUNTIME_USER_ARG = "runtime-user";

  /**
   * With {@link #RUNTIME_USER_ARG}: the login role that owns the database and that Flyway migrates
   * as, instead of the superuser, so that the service's role holds neither.
   */
  public static final String MIGRATION_USER_ARG = "migration-user";

  /**
   * The Kafka user the application under test logs in as. By default the service's own KafkaUser
   * (its {@code patchops.service-name}), so its suite runs under the ACLs the contract gives it; an
   * application that is no PatchOps service (the platform's test application) gets the super user.
   */
  public static final String KAFKA_USER_ARG = "kafka-user";

  static final String MIGRATION_USER_PROPERTY = "devstack.test.migration-user";
  static final String MIGRATION_PASSWORD_PROPERTY = "devstack.test.migration-password";

  static final String WORKSPACE_PROPERTY = "devstack.test.workspace";
  static final String BOOTSTRAP_PROPERTY = "devstack.test.kafka.bootstrap";
  static final String JDBC_URL_PROPERTY = "devstack.test.jdbc-url";
  static final int PARTITIONS = 3;

  private String database = "patchops";
  private String runtimeUser;
  private String migrationUser;
  private String kafkaUser;
  private Workspace workspace;
  private KafkaBroker kafka;
  private PostgresServer postgres;

  @Override
  public void init(Map<String, String> initArgs) {
    database = initArgs.getOrDefault(DATABASE_ARG, database);
    runtimeUser = initArgs.get(RUNTIME_USER_ARG);
    migrationUser = initArgs.get(MIGRATION_USER_ARG);
    kafkaUser = initArgs.get(KAFKA_USER_ARG);
  }

  @Override
  public Map<String, String> start() {
    workspace = Workspace.createTemporary();
    CompletableFuture<KafkaBroker> kafkaStart =
        CompletableFuture.supplyAsync(
            () -> {
              KafkaBroker broker = KafkaBroker.create(workspace.resolve("kafka"), PARTITIONS);
              broker.start(Duration.ofSeconds(90));
              return broker;
            });
    postgres = PostgresServer.start(workspace.resolve("postgres"), false);
    postgres.createDatabase(database);
    kafka = kafkaStart.join();
    KafkaAdmin.createTopics(kafka, Topics.ALL, PARTITIONS);

    JwtIssuer issuer = JwtIssuer.generate();
    issuer.save(workspace.resolve("jwt-private.pem"), workspace.resolve("jwt-public.pem"));

    System.setProperty(WORKSPACE_PROPERTY, workspace.root().toString());
    System.setProperty(BOOTSTRAP_PROPERTY, kafka.bootstrapServers());
    System.setProperty(JDBC_URL_PROPERTY, postgres.jdbcUrl(database));

    Map<String, String> config = new HashMap<>();
    config.put("kafka.bootstrap.servers", kafka.bootstrapServers());
    String user = kafkaUser();
    config.put("patchops.kafka.user", user);
    config.put("patchops.kafka.password", kafka.password(user));
    config.put("quarkus.datasource.jdbc.url", postgres.jdbcUrl(database));
    if (runtimeUser == null) {
      config.put("quarkus.datasource.username", PostgresServer.USER);
      config.put("quarkus.datasource.password", PostgresServer.PASSWORD);
    } else {
      String password = java.util.UUID.randomUUID().toString();
      postgres.createLoginRole(runtimeUser, password);
      config.put("quarkus.datasource.username", runtimeUser);
      config.put("quarkus.datasource.password", password);
      config.put("quarkus.flyway.jdbc-url", postgres.jdbcUrl(database));
      if (migrationUser == null) {
        config.put("quarkus.flyway.username", PostgresServer.USER);
        config.put("quarkus.flyway.password", PostgresServer.PASSWORD);
      } else {
        String ownerPassword = java.util.UUID.randomUUID().toString();
        postgres.createOwnerRole(migrationUser, ownerPassword, database);
        System.setProperty(MIGRATION_USER_PROPERTY, migrationUser);
        System.setProperty(MIGRATION_PASSWORD_PROPERTY, ownerPassword);
        config.put("quarkus.flyway.username", migrationUser);
        config.put("quarkus.flyway.password", ownerPassword);
      }
    }
    config.put("mp.jwt.verify.publickey", issuer.publicKeyPem());
    config.put("mp.jwt.verify.issuer", JwtIssuer.ISSUER);
    config.put("quarkus.devservices.enabled", "false");
    return config;
  }

  private String kafkaUser() {
    if (kafkaUser != null) {
      return kafkaUser;
    }
    return serviceName()
        .flatMap(KafkaAccess.Client::forUser)
        .map(KafkaAccess.Client::user)
        .orElse(KafkaBroker.ADMIN);
  }

  /**
   * The {@code patchops.service-name} of the application under test, from its {@code
   * application.properties}: test resources start before Quarkus reads its configuration.
   */
  private static Optional<String> serviceName() {
    try {
      ClassLoader loader = Thread.currentThread().getContextClassLoader();
      for (URL url : Collections.list(loader.getResources("application.properties"))) {
        Properties props = new Properties();
        try (InputStream in = url.openStream()) {
          props.load(in);
        }
        String name = props.getProperty("patchops.service-name");
        if (name != null) {
          return Optional.of(name.trim());
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Restarts the database server under its clients, on the same data and port. */
  public void restartPostgres() {
    postgres.restart();
  }

  @Override
  public void stop() {
    if (kafka != null) {
      // A test may have restarted the broker as a new process: stop whatever runs now.
      KafkaBroker.attach(kafka.directory()).stop();
      kafka.stop();
    }
    if (postgres != null) {
      postgres.close();
    }
    if (workspace != null) {
      workspace.delete();
    }
  }
}
