package dev.patchops.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A database restart or failover kills the pool's connections under a running service. Requests
 * after it are served on fresh connections; a request whose connection dies under it is told to
 * come back (503 with Retry-After), never given a 500.
 */
@QuarkusTest
@PatchOpsTest
class DatabaseRestartTest {
  private static final String COUNT = "/api/v1/widgets/count";

  @Test
  void everyPooledConnectionKilledTheNextRequestsAreServed() throws Exception {
    // Several at once, so the pool holds several connections to lose.
    CompletableFuture<?>[] warm = new CompletableFuture<?>[6];
    for (int i = 0; i < warm.length; i++) {
      warm[i] = CompletableFuture.runAsync(() -> count().then().statusCode(200));
    }
    CompletableFuture.allOf(warm).get(60, TimeUnit.SECONDS);
    try (Connection admin = TestInfra.superuserConnection()) {
      assertThat(terminateEveryOtherSession(admin)).as("the pool's sessions killed").isPositive();
    }
    for (int i = 0; i < 10; i++) {
      Response r = count();
      assertThat(r.statusCode())
          .as("request %d after the sessions died: %s", i, r.asString())
          .isEqualTo(200);
    }
  }

  @Test
  void aConnectionLostUnderARequestIsA503ProblemWithRetryAfter() throws Exception {
    String key = "restart-" + UUID.randomUUID();
    try (Connection admin = TestInfra.superuserConnection()) {
      try (PreparedStatement lock =
          admin.prepareStatement("select pg_advisory_lock(hashtext(?))")) {
        lock.setString(1, key);
        lock.execute();
      }
      CompletableFuture<Response> waiting =
          CompletableFuture.supplyAsync(
              () ->
                  given()
                      .header("Authorization", TestInfra.bearer("erin", "engineer"))
                      .get("/api/v1/widgets/count-after-lock/" + key));
      int pid =
          await("the request waiting on the database")
              .atMost(Duration.ofSeconds(30))
              .until(() -> AdvisoryLockWaiters.first(admin, java.util.Set.of()), p -> p != 0);
      try (PreparedStatement kill = admin.prepareStatement("select pg_terminate_backend(?)")) {
        kill.setInt(1, pid);
        kill.execute();
      }
      Response response = waiting.get(60, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(response.asString()).isEqualTo(503);
      assertThat(response.contentType()).startsWith("application/problem+json");
      assertThat(response.header("Retry-After")).isEqualTo("2");
      assertThat(response.jsonPath().getString("type"))
          .isEqualTo("https://patchops.dev/problems/database-unavailable");
      assertThat(response.asString())
          .doesNotContain("\tat ")
          .doesNotContain("PSQLException")
          .doesNotContain("administrator command");
    }
    assertThat(count().statusCode()).as("served again right after").isEqualTo(200);
  }

  private static Response count() {
    return given().header("Authorization", TestInfra.bearer("erin", "engineer")).get(COUNT);
  }

  private static int terminateEveryOtherSession(Connection admin) throws Exception {
    try (PreparedStatement kill =
            admin.prepareStatement(
                "select count(*) filter (where pg_terminate_backend(pid)) from pg_stat_activity"
                    + " where datname = current_database() and pid <> pg_backend_pid()");
        ResultSet rs = kill.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
