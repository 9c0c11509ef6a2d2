package dev.patchops.audit.trail;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.audit.AuditFixtures;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A batch the database refuses is neither dropped nor dead-lettered: it is retried until it is
 * stored, once, and the records behind it wait their turn.
 */
@QuarkusTest
@WithAuditInfra
class IngestRetryTest {
  @Inject AuditQuery query;

  @Test
  void aRefusedBatchIsRetriedUntilStoredAndNothingOvertakesIt() throws Exception {
    String ticketId = newTicketId();
    double retriesBefore = retries();
    String first;
    String second;
    try (Connection owner = TestInfra.superuserConnection();
        Statement statement = owner.createStatement()) {
      statement.execute("revoke insert on audit_record from patchops_audit_writer");
      try {
        first = AuditFixtures.send(opened(ticketId, "while the database refuses"));
        second = AuditFixtures.send(opened(ticketId, "behind it"));
        await().atMost(Duration.ofSeconds(20)).until(() -> retries() >= retriesBefore + 2);
        assertThat(query.ticket(ticketId)).isEmpty();
      } finally {
        statement.execute("grant insert on audit_record to patchops_audit_writer");
      }
    }
    assertThat(awaitTicket(query, ticketId, 2))
        .extracting(TrailRecord::eventId)
        .containsExactly(first, second);
  }

  private static double retries() {
    String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
    return metrics
        .lines()
        .filter(l -> l.startsWith("patchops_audit_batch_retries_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst()
        .orElse(0);
  }
}
