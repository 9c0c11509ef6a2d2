package dev.patchops.ticket.tickets;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.TestInfra;
import dev.patchops.ticket.tickets.TicketService.NewTicket;
import dev.patchops.ticket.tickets.TicketService.Opening;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@QuarkusTest
@PatchOpsTest
class TicketGroupCommitTest {
  @Inject TicketGroupCommit groupCommit;
  @Inject AgroalDataSource dataSource;
  @Inject MeterRegistry registry;

  /** A software ticket for a Deployment of the shop, reported over REST. */
  private static Opening opening(
      String title, String description, Severity severity, String deployment) {
    return new Opening(
        new NewTicket(
            TicketKind.SOFTWARE,
            title,
            description,
            severity,
            new WorkloadRef("shop", "Deployment", deployment),
            null,
            null,
            null),
        "rita",
        TicketSource.REST);
  }

  @Test
  void aBatchWithOneBadTicketStillCommitsTheOthersEachWithExactlyOneEvent() throws Exception {
    String title = "batch-" + UUID.randomUUID();
    List<Opening> openings = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // The third passes the checks in Java but breaks the table's check constraint at flush, in
      // the middle of the batch, after the others were written.
      String name = i == 2 ? null : "api-" + i;
      openings.add(opening(title, null, Severity.SEV3, name));
    }

    double retriedBefore = groupCommit.retriedBatches();
    List<CompletableFuture<Ticket>> results = groupCommit.commitBatch(openings);

    assertThat(groupCommit.retriedBatches())
        .as("the batch failed as a whole")
        .isEqualTo(retriedBefore + 1);
    assertThat(results).allMatch(CompletableFuture::isDone);
    assertThat(results.get(2)).isCompletedExceptionally();
    List<String> ids = new ArrayList<>();
    for (int i : new int[] {0, 1, 3, 4}) {
      Ticket ticket = results.get(i).join();
      assertThat(ticket.workloadName).isEqualTo("api-" + i);
      ids.add(ticket.id);
    }
    assertThat(ticketIdsWithTitle(title)).containsExactlyInAnyOrderElementsOf(ids);
    for (String id : ids) {
      assertThat(openedEvents(id)).as("ticket.opened events of " + id).isEqualTo(1);
    }
    assertThat(openedEventsWithTitle(title)).isEqualTo(4);
  }

  @Test
  void aGoodBatchCommitsTogetherWithOneEventPerTicket() throws Exception {
    String title = "batch-" + UUID.randomUUID();
    List<Opening> openings = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      openings.add(opening(title, "d" + i, Severity.SEV2, "api-" + i));
    }

    double retriedBefore = groupCommit.retriedBatches();
    List<CompletableFuture<Ticket>> results = groupCommit.commitBatch(openings);

    assertThat(groupCommit.retriedBatches()).isEqualTo(retriedBefore);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < results.size(); i++) {
      Ticket ticket = results.get(i).join();
      assertThat(ticket.description).isEqualTo("d" + i);
      ids.add(ticket.id);
      assertThat(openedEvents(ticket.id)).isEqualTo(1);
    }
    assertThat(ids).hasSize(20);
    assertThat(ticketIdsWithTitle(title)).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(transactionsWithTitle(title)).as("one commit for the whole batch").isEqualTo(1);
  }

  @Test
  void concurrentRestCreatesEachGetTheirOwnCommittedTicketAndEvent() throws Exception {
    String title = "concurrent-" + UUID.randomUUID();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    double transactionsBefore = counter("patchops.ticket.group-commit.transactions");
    double ticketsBefore = counter("patchops.ticket.group-commit.tickets");
    try {
      List<Future<String>> created = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        String name = "svc-" + i;
        created.add(
            pool.submit(
                () ->
                    given()
                            .header("Authorization", TestInfra.bearer("rita", "reporter"))
                            .contentType(ContentType.JSON)
                            .body(
                                ("{\"kind\":\"SOFTWARE\",\"title\":\"%s\",\"severity\":\"SEV3\","
                                        + "\"workload\":{\"namespace\":\"shop\","
                                        + "\"kind\":\"Deployment\",\"name\":\"%s\"}}")
                                    .formatted(title, name))
                            .post("/api/v1/tickets")
                            .then()
                            .statusCode(201)
                            .extract()
                            .path("workload.name")
                            .toString()
                        + "="
                        + openedTicketFor(title, name)));
      }
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < created.size(); i++) {
        String[] nameAndId = created.get(i).get(60, TimeUnit.SECONDS).split("=");
        assertThat(nameAndId[0]).isEqualTo("svc-" + i);
        ids.add(nameAndId[1]);
        assertThat(openedEvents(nameAndId[1])).isEqualTo(1);
      }
      assertThat(ids).hasSize(64);
      assertThat(ticketIdsWithTitle(title)).containsExactlyInAnyOrderElementsOf(ids);
      // Sixteen clients at once must share commits: with batching off each ticket commits alone.
      long commits = transactionsWithTitle(title);
      assertThat(commits).as("transactions that wrote the 64 tickets").isLessThan(64);
      assertThat(counter("patchops.ticket.group-commit.tickets") - ticketsBefore)
          .as("tickets opened through the group commit")
          .isGreaterThanOrEqualTo(64);
      assertThat(counter("patchops.ticket.group-commit.transactions") - transactionsBefore)
          .as("group-commit transactions")
          .isLessThan(64);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSoftwareTicketWithoutWorkloadIsRefusedBeforeItJoinsABatch() {
    given()
        .header("Authorization", TestInfra.bearer("rita", "reporter"))
        .contentType(ContentType.JSON)
        .body("{\"kind\":\"SOFTWARE\",\"title\":\"no workload\",\"severity\":\"SEV3\"}")
        .post("/api/v1/tickets")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
  }

  /** The ticket's id, read back after its 201: the response came after the commit. */
  private String openedTicketFor(String title, String workloadName) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement(
                "select id from ticket where title = ? and workload_name = ?")) {
      select.setString(1, title);
      select.setString(2, workloadName);
      try (ResultSet rs = select.executeQuery()) {
        assertThat(rs.next()).as("ticket committed before its 201").isTrue();
        String id = rs.getString(1);
        assertThat(rs.next()).isFalse();
        return id;
      }
    }
  }

  private List<String> ticketIdsWithTitle(String title) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            connection.prepareStatement("select id from ticket where title = ?")) {
      select.setString(1, title);
      try (ResultSet rs = select.executeQuery()) {
        List<String> ids = new ArrayList<>();
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
        return ids;
      }
    }
  }

  /** Rows written by one transaction share its id, PostgreSQL's {@code xmin}. */
  private long transactionsWithTitle(String title) throws Exception {
    return count("select count(distinct xmin::text) from ticket where title = ?", title);
  }

  private double counter(String name) {
    return registry.counter(name).count();
  }

  private long openedEvents(String ticketId) throws Exception {
    return count(
        "select count(*) from outbox_event where type = 'dev.patchops.ticket.opened.v1'"
            + " and ticket_id = ?",
        ticketId);
  }

  private long openedEventsWithTitle(String title) throws Exception {
    return count(
        "select count(*) from outbox_event where type = 'dev.patchops.ticket.opened.v1'"
            + " and payload::jsonb ->> 'title' = ?",
        title);
  }

  private long count(String sql, String parameter) throws Exception {
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = connection.prepareStatement(sql)) {
      select.setString(1, parameter);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
