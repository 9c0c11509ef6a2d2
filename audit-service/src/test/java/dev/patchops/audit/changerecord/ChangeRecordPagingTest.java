package dev.patchops.audit.changerecord;

import static dev.patchops.audit.AuditFixtures.awaitTicket;
import static dev.patchops.audit.AuditFixtures.newTicketId;
import static dev.patchops.audit.AuditFixtures.opened;
import static dev.patchops.audit.AuditFixtures.send;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.audit.WithAuditInfra;
import dev.patchops.audit.changerecord.rest.ChangeRecordResource;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A ticket with more trail records than a page: each page is bounded, and together they are whole.
 */
@QuarkusTest
@WithAuditInfra
class ChangeRecordPagingTest {
  private static final int RECORDS = ChangeRecordResource.MAX_PAGE + 250;

  @Inject AuditQuery query;

  private static String ticketId;

  private synchronized String bigTicket() {
    if (ticketId == null) {
      String id = newTicketId();
      send(opened(id, "a long history"));
      for (int i = 1; i < RECORDS; i++) {
        send(new GateRefused(id, "approve", "four-eyes", "dana", "refusal " + i, Instant.now()));
      }
      awaitTicket(query, id, RECORDS);
      ticketId = id;
    }
    return ticketId;
  }

  private static JsonPath page(String ticketId, String query) {
    return given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .accept("application/json")
        .get("/api/v1/tickets/{id}/change-record" + query, ticketId)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  @Test
  void pagesAreBoundedAndTogetherGiveTheWholeRecordInOrder() {
    String id = bigTicket();
    List<Long> expected = query.ticket(id).stream().map(TrailRecord::seq).toList();
    assertThat(expected).hasSize(RECORDS);

    List<Long> timeline = new ArrayList<>();
    List<Long> links = new ArrayList<>();
    String cursor = "";
    int pages = 0;
    while (true) {
      JsonPath page = page(id, "?limit=400" + cursor);
      pages++;
      List<Long> seqs = page.getList("timeline.seq", Long.class);
      assertThat(seqs).hasSizeLessThanOrEqualTo(400).isNotEmpty();
      assertThat(page.getInt("page.limit")).isEqualTo(400);
      assertThat(page.getBoolean("page.complete")).isFalse();
      // a part of the record is not assessed as if it were the whole
      assertThat(page.getMap("completeness")).isNull();
      timeline.addAll(seqs);
      links.addAll(page.getList("chain.links.seq", Long.class));
      Long next = page.getObject("page.next", Long.class);
      if (next == null) {
        break;
      }
      assertThat(next).isEqualTo(seqs.get(seqs.size() - 1));
      cursor = "&after=" + next;
    }
    assertThat(pages).isEqualTo((RECORDS + 399) / 400);
    assertThat(timeline).containsExactlyElementsOf(expected);
    assertThat(links).containsExactlyElementsOf(expected);
  }

  @Test
  void withoutALimitAPageHoldsAtMostTheMaximumAndLinksTheNext() {
    String id = bigTicket();
    var response =
        given()
            .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
            .get("/api/v1/tickets/{id}/change-record?format=html", id)
            .then()
            .statusCode(200)
            .header("Link", containsString("rel=\"next\""))
            .extract();
    String html = response.asString();
    assertThat(html).contains("Next page").contains("limit=" + ChangeRecordResource.MAX_PAGE);
    JsonPath first = page(id, "");
    assertThat(first.getList("timeline")).hasSize(ChangeRecordResource.MAX_PAGE);
    JsonPath last = page(id, "?after=" + first.getLong("page.next"));
    assertThat(last.getList("timeline")).hasSize(RECORDS - ChangeRecordResource.MAX_PAGE);
    assertThat(last.getObject("page.next", Long.class)).isNull();
  }

  @Test
  void aPageLargerThanTheMaximumIsRefusedNamingTheLimit() {
    String id = bigTicket();
    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .get("/api/v1/tickets/{id}/change-record?limit=" + (ChangeRecordResource.MAX_PAGE + 1), id)
        .then()
        .statusCode(400)
        .contentType("application/problem+json")
        .body("violations[0].field", equalTo("limit"));
    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .get("/api/v1/tickets/{id}/change-record?after=-5", id)
        .then()
        .statusCode(400)
        .body("violations[0].field", equalTo("after"));
  }

  @Test
  void aSmallTicketIsOneCompletePage() {
    String id = newTicketId();
    send(opened(id, "short"));
    awaitTicket(query, id, 1);
    JsonPath page = page(id, "");
    assertThat(page.getBoolean("page.complete")).isTrue();
    assertThat(page.getMap("completeness")).isNotNull();
    assertThat(page.getObject("page.next", Long.class)).isNull();
  }
}
