package dev.patchops.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * What every PatchOps service must offer from its first boot: health, metrics, OpenAPI, its own
 * database migrated by Flyway, and an outbox relay that holds the publishing lock. Each service's
 * boot test extends this, annotated with its module's test annotation.
 */
public abstract class ServiceBootChecks {
  @Inject DataSource dataSource;

  protected abstract String serviceName();

  /** "METHOD /path" of the operations that take no JWT on purpose, such as signed hooks. */
  protected java.util.Set<String> publicOperations() {
    return java.util.Set.of();
  }

  /** Per topic, an event the service acts on (see {@link PoisonRecords.Target}). */
  protected java.util.Map<String, PoisonRecords.Target> poisonTargets() {
    return java.util.Map.of();
  }

  /** False for a consumer that keeps poison, flagged, instead of dead-lettering it. */
  protected boolean parksPoison() {
    return true;
  }

  /** Every PatchOps role (platform's {@code Roles.ALL}, which this module cannot depend on). */
  @SuppressWarnings("unchecked")
  private static List<String> roles() throws ReflectiveOperationException {
    Class<?> roles = Class.forName("dev.patchops.platform.security.Roles");
    return new ArrayList<>(
        new java.util.TreeSet<>((java.util.Set<String>) roles.getField("ALL").get(null)));
  }

  @Test
  void poisonOnEveryTopicItReadsIsDeadLetteredAndStallsNothing() {
    PoisonRecords poison = new PoisonRecords(serviceName(), poisonTargets(), parksPoison());
    List<String> failures = poison.run();
    assertThat(failures).as("poison records, %d sent", poison.poisoned()).isEmpty();
    assertThat(poison.poisoned()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyOperationAdmitsItsRolesAndNoOneElse() throws Exception {
    AuthorizationMatrix matrix = new AuthorizationMatrix(roles(), publicOperations());
    List<String> failures = matrix.run();
    assertThat(failures).as("authorization matrix, %d requests", matrix.requests()).isEmpty();
    assertThat(matrix.requests()).isGreaterThan(10);
  }

  @Test
  void healthIsUp() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void openApiDocumentAndSwaggerUiAreServed() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("info.title", containsString(serviceName()));
    given().get("/q/swagger-ui/").then().statusCode(200);
  }

  @Test
  void prometheusMetricsIncludeTheOutboxRelay() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .body(containsString("patchops_outbox_leader 1.0")));
  }

  @Test
  void flywayMigratedTheOutboxAndInboxIntoTheServicesDatabase() throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery(
              "select table_name from information_schema.tables where table_schema = 'public'"
                  + " order by table_name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables)
          .contains("outbox_event", "outbox_key_seq", "inbox_event", "outbox_dead_letter");
      try (ResultSet rs =
          statement.executeQuery(
              "select count(*) filter (where not success) from flyway_schema_history")) {
        rs.next();
        assertThat(rs.getInt(1)).as("failed migrations").isZero();
      }
    }
  }
}
