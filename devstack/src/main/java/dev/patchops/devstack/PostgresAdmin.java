package dev.patchops.devstack;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.regex.Pattern;

/**
 * Creates what the services need on a PostgreSQL server, embedded or not: a database per service
 * and login roles. Idempotent, so a second run of the local stack finds everything in place.
 */
public final class PostgresAdmin {
  /** Names interpolated into DDL, so nothing but lower-case identifiers. */
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  private final String serverUrl;
  private final String user;
  private final String password;

  /**
   * @param serverUrl {@code jdbc:postgresql://host:port/}, to which a database name is appended
   */
  public PostgresAdmin(String serverUrl, String user, String password) {
    // A database name is appended per service, so the URL names the server and nothing more.
    if (!serverUrl.matches("jdbc:postgresql://[^/?#]+/?")) {
      throw new IllegalArgumentException(
          "a PostgreSQL server URL looks like jdbc:postgresql://host:5432/ (no database, no"
              + " parameters), not "
              + serverUrl);
    }
    this.serverUrl = serverUrl.endsWith("/") ? serverUrl : serverUrl + "/";
    this.user = user;
    this.password = password;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public String jdbcUrl(String database) {
    return serverUrl + database;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl("postgres"), user, password);
  }

  /** Creates the database if it does not exist yet; each service owns one. */
  public void createDatabase(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid database name " + name);
    }
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      try (ResultSet rs =
          statement.executeQuery("select 1 from pg_database where datname = '" + name + "'")) {
        if (rs.next()) {
          return;
        }
      }
      statement.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates (or resets the password of) the login role that owns {@code database} and migrates it:
   * it may create roles (a migration creates the service's group role and grants it), nothing more
   * cluster-wide. The service itself runs as another role, which does not hold this one.
   */
  public void createOwnerRole(String name, String rolePassword, String database) {
    if (!IDENTIFIER.matcher(name).matches()
        || !IDENTIFIER.matcher(database).matches()
        || rolePassword.contains("'")) {
      throw new IllegalArgumentException("invalid role, database or password for " + name);
    }
    try (Connection connection = connect();
        Statement statement = connection.createStatement()) {
      boolean exists;
      try (ResultSet rs =
          statement.executeQuery("select 1 from pg_roles where rolname = '" + name + "'")) {
        exists = rs.next();
      }
      statement.execute(
          (exists ? "alter role " : "create role ")
              + name
              + " login nosuperuser nocreatedb createrole password '"
              + rolePassword
              + "'");
      statement.execute("alter database " + database + " owner to " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create owner " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * Creates (or resets the password of) a login role with no privileges of its own. A service that
   * must not hold its tables' privileges connects as such a role; its migrations grant the rest.
   */
  public void createLoginRole(String name, String rolePassword) {
    if (!IDENTIFIER.matcher(name).matches() || rolePassword.contains("'")) {
      throw new IllegalArgumentException("invalid role name or password for " + name);
    }
    try (Connection connection = connect();
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
              + rolePassword
              + "'");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create role " + name + ": " + e.getMessage(), e);
    }
  }
}
