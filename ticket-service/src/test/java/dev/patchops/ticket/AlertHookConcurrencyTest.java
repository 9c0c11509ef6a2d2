package dev.patchops.ticket;

import static dev.patchops.ticket.TicketFlows.as;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsTest;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Alertmanager in HA mode: every replica delivers the same alert, at the same moment. The
 * deliveries queue on the alert's lock, so one ticket and one alert event come of them and the rest
 * count as deliveries.
 */
@QuarkusTest
@PatchOpsTest
class AlertHookConcurrencyTest {
  private static final String AM_TOKEN = "test-alertmanager-token";
  private static final int REPLICAS = 6;

  @Test
  void theSameAlertDeliveredConcurrentlyOpensOneTicketAndPublishesOneAlertEvent() throws Exception {
    String deployment = "pay-" + UUID.randomUUID().toString().substring(0, 8);
    String fingerprint = UUID.randomUUID().toString().substring(0, 16);
    String startsAt = "2026-11-26T10:20:00Z";
    String firing = AlertHookTest.alertmanager("firing", fingerprint, deployment, startsAt, null);
    ExecutorService replicas = Executors.newFixedThreadPool(REPLICAS);
    CountDownLatch go = new CountDownLatch(1);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ALERTS)) {
      List<Future<Response>> deliveries = new ArrayList<>();
      for (int i = 0; i < REPLICAS; i++) {
        deliveries.add(
            replicas.submit(
                () -> {
                  if (!go.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("not started");
                  }
                  return post(firing);
                }));
      }
      go.countDown();
      int duplicates = 0;
      Set<String> tickets = new HashSet<>();
      for (Future<Response> delivery : deliveries) {
        Response response = delivery.get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.asString()).isEqualTo(202);
        duplicates += response.jsonPath().getInt("duplicates");
        tickets.addAll(response.jsonPath().getList("tickets", String.class));
      }
      assertThat(duplicates).as("deliveries that found the occurrence").isEqualTo(REPLICAS - 1);
      assertThat(tickets).as("tickets named in the answers").hasSize(1);
      String ticketId = tickets.iterator().next();

      given()
          .header("Authorization", as("ada", "auditor"))
          .queryParam("workload", deployment)
          .get("/api/v1/tickets")
          .then()
          .statusCode(200)
          .body("items", hasSize(1))
          .body("items[0].id", equalTo(ticketId));
      given()
          .header("Authorization", as("ada", "auditor"))
          .get("/api/v1/tickets/" + ticketId)
          .then()
          .statusCode(200)
          .body("alerts", hasSize(1))
          .body("alerts[0].fingerprint", equalTo(fingerprint))
          .body("alerts[0].deliveries", equalTo(REPLICAS));

      // The resolve is sent after every delivery was answered and shares their key, so on the
      // partition it comes after any alert event they published: reading up to it sees them all.
      post(AlertHookTest.alertmanager(
              "resolved", fingerprint, deployment, startsAt, "2026-11-26T10:45:00Z"))
          .then()
          .statusCode(202);
      List<ConsumerRecord<String, byte[]>> events =
          probe.collect(r -> ticketId.equals(r.key()), 2, Duration.ofSeconds(30));
      assertThat(events)
          .extracting(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
          .containsExactly(EventType.ALERT_RECEIVED.type(), EventType.ALERT_RESOLVED.type());
    } finally {
      replicas.shutdownNow();
    }
  }

  private static Response post(String body) {
    return given()
        .header("Authorization", "Bearer " + AM_TOKEN)
        .contentType(ContentType.JSON)
        .body(body)
        .post("/hooks/alertmanager");
  }
}
