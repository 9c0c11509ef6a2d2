package dev.patchops.platform;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.platform.rest.ProblemMappers;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** An unexpected exception leaves as a 500 problem with an opaque id, and the id is in the log. */
@QuarkusTest
@PatchOpsTest
class UnexpectedErrorTest {
  private static final Pattern ERROR_ID =
      Pattern.compile("error id ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");

  @Test
  void anUnexpectedExceptionIsA500ProblemWithAnOpaqueIdThatTheLogAlsoHolds() {
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(record);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger log = Logger.getLogger(ProblemMappers.class.getName());
    log.addHandler(capture);
    UUID widget = UUID.randomUUID();
    Response response;
    try {
      response =
          given()
              .header("Authorization", TestInfra.bearer("erin", "engineer"))
              .post("/api/v1/widgets/" + widget + "/explode");
    } finally {
      log.removeHandler(capture);
    }

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.contentType()).startsWith("application/problem+json");
    assertThat(response.jsonPath().getString("type"))
        .isEqualTo("https://patchops.dev/problems/internal-error");
    assertThat(response.jsonPath().getInt("status")).isEqualTo(500);
    String body = response.asString();
    Matcher id = ERROR_ID.matcher(response.jsonPath().getString("detail"));
    assertThat(id.find()).as("an error id in %s", body).isTrue();
    String errorId = id.group(1);
    // Nothing of the failure itself: neither its message, its class, nor a stack frame.
    assertThat(body)
        .doesNotContain("IllegalStateException")
        .doesNotContain("jdbc:postgresql")
        .doesNotContain("db.internal")
        .doesNotContain("dev.patchops")
        .doesNotContain("WidgetResource")
        .doesNotContain("\tat ");

    // The same id is in the log, at ERROR, with the exception that the client did not see.
    List<LogRecord> withId =
        logged.stream()
            .filter(r -> r.getLevel().intValue() >= Level.SEVERE.intValue())
            .filter(r -> formatted(r).contains(errorId))
            .toList();
    assertThat(withId).as("log records naming %s", errorId).hasSize(1);
    assertThat(withId.get(0).getThrown())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("db.internal");

    // A second failure gets another id: the id names one occurrence, it does not encode the error.
    String second =
        given()
            .header("Authorization", TestInfra.bearer("erin", "engineer"))
            .post("/api/v1/widgets/" + widget + "/explode")
            .then()
            .statusCode(500)
            .extract()
            .path("detail");
    Matcher secondId = ERROR_ID.matcher(second);
    assertThat(secondId.find()).isTrue();
    assertThat(secondId.group(1)).isNotEqualTo(errorId);
  }

  private static String formatted(LogRecord record) {
    String message = record.getMessage();
    Object[] parameters = record.getParameters();
    if (parameters != null) {
      for (Object parameter : parameters) {
        message = message + " " + parameter;
      }
    }
    return message;
  }
}
