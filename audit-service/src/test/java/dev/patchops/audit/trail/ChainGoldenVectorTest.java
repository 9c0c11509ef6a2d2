package dev.patchops.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chain rule held to a vector computed outside this code base (Python's {@code json.dumps} with
 * sorted keys and no spaces, which is RFC 8785 for this content, then {@code hashlib.sha256}), and
 * one tamper case per column the architecture says is hashed. The other chain tests compute their
 * expectations with {@link ChainHash} itself, so they could not notice a column left out of it.
 */
class ChainGoldenVectorTest {
  private static final String PREV = "ab".repeat(32);

  private static final String GOLDEN_CANONICAL =
      "{\"actor\":\"alice\",\"data\":{\"a\":[true,null,\"é\"],\"title\":\"checkout 502\",\"z\":1},"
          + "\"error\":null,\"headers\":{\"ce_id\":\"id-1\",\"ce_source\":\"/patchops/ticket-service\"},"
          + "\"id\":\"id-1\",\"ingestedat\":\"2026-11-26T10:00:01Z\",\"offset\":42,\"partition\":3,"
          + "\"raw\":\"AAFyYXc=\",\"seq\":7,\"source\":\"/patchops/ticket-service\","
          + "\"specversion\":\"1.0\",\"stream\":\"event\",\"subject\":\"tickets/T-1\","
          + "\"ticketid\":\"T-1\",\"time\":\"2026-11-26T10:00:00.123456Z\","
          + "\"topic\":\"patchops.tickets\",\"type\":\"dev.patchops.ticket.opened.v1\"}";

  private static final String GOLDEN_HASH =
      "5c0c34b8809889d5774196092168c17eab38605c1fe11c2ffb01096e9831e8f9";

  private static TrailRecord golden() {
    return new TrailRecord(
        7,
        "event",
        "/patchops/ticket-service",
        "id-1",
        "dev.patchops.ticket.opened.v1",
        "1.0",
        "tickets/T-1",
        "T-1",
        "alice",
        Instant.parse("2026-11-26T10:00:00.123456Z"),
        Instant.parse("2026-11-26T10:00:01Z"),
        "patchops.tickets",
        3,
        42,
        "{\"ce_id\":\"id-1\",\"ce_source\":\"/patchops/ticket-service\"}",
        "{\"a\":[true,null,\"é\"],\"title\":\"checkout 502\",\"z\":1}",
        new byte[] {0, 1, 'r', 'a', 'w'},
        null,
        PREV,
        null);
  }

  @Test
  void theCanonicalFormAndTheHashMatchAnIndependentlyComputedVector() {
    assertThat(ChainHash.canonical(golden())).isEqualTo(GOLDEN_CANONICAL);
    assertThat(ChainHash.hash(PREV, GOLDEN_CANONICAL)).isEqualTo(GOLDEN_HASH);
    assertThat(golden().chained(7, golden().ingestedAt(), PREV).hash()).isEqualTo(GOLDEN_HASH);
    assertThat(GOLDEN_CANONICAL.getBytes(StandardCharsets.UTF_8))
        .hasSize(GOLDEN_CANONICAL.length() + 1);
  }

  /** Every documented column, each changed alone: the record must no longer hash the same. */
  static Map<String, UnaryOperator<TrailRecord>> tampers() {
    Map<String, UnaryOperator<TrailRecord>> t = new LinkedHashMap<>();
    t.put("seq", r -> copy(r, Field.SEQ, 8L));
    t.put("stream", r -> copy(r, Field.STREAM, "checkpoint"));
    t.put("source", r -> copy(r, Field.SOURCE, "/patchops/rollout-service"));
    t.put("id", r -> copy(r, Field.ID, "id-2"));
    t.put("type", r -> copy(r, Field.TYPE, "dev.patchops.ticket.closed.v1"));
    t.put("specversion", r -> copy(r, Field.SPEC_VERSION, "1.1"));
    t.put("subject", r -> copy(r, Field.SUBJECT, "tickets/T-2"));
    t.put("ticketid", r -> copy(r, Field.TICKET_ID, "T-2"));
    t.put("actor", r -> copy(r, Field.ACTOR, "mallory"));
    t.put("time", r -> copy(r, Field.TIME, Instant.parse("2026-11-26T10:00:00.123457Z")));
    t.put("ingestedat", r -> copy(r, Field.INGESTED_AT, Instant.parse("2026-11-26T10:00:02Z")));
    t.put("topic", r -> copy(r, Field.TOPIC, "patchops.rollouts"));
    t.put("partition", r -> copy(r, Field.PARTITION, 4));
    t.put("offset", r -> copy(r, Field.OFFSET, 43L));
    t.put("headers", r -> copy(r, Field.HEADERS, "{\"ce_id\":\"id-1\"}"));
    t.put(
        "data",
        r ->
            copy(r, Field.PAYLOAD, "{\"a\":[true,null,\"é\"],\"title\":\"checkout 503\",\"z\":1}"));
    t.put("raw", r -> copy(r, Field.RAW, new byte[] {0, 1, 'r', 'a', 'X'}));
    t.put("error", r -> copy(r, Field.ERROR, "not JSON"));
    return t;
  }

  static Iterable<String> columns() {
    return tampers().keySet();
  }

  @ParameterizedTest
  @MethodSource("columns")
  void tamperingWithAnyHashedColumnChangesTheHash(String column) {
    TrailRecord tampered = tampers().get(column).apply(golden());
    // Against what the code computes for the original, so a column it leaves out shows here too.
    assertThat(ChainHash.hash(PREV, ChainHash.canonical(tampered)))
        .as("hash after changing " + column)
        .isNotEqualTo(ChainHash.hash(PREV, ChainHash.canonical(golden())));
  }

  @Test
  void theTamperCasesCoverEveryKeyOfTheCanonicalForm() throws Exception {
    var keys = new java.util.TreeSet<String>();
    new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(GOLDEN_CANONICAL)
        .fieldNames()
        .forEachRemaining(keys::add);
    assertThat(tampers().keySet()).containsExactlyInAnyOrderElementsOf(keys);
  }

  private enum Field {
    SEQ,
    STREAM,
    SOURCE,
    ID,
    TYPE,
    SPEC_VERSION,
    SUBJECT,
    TICKET_ID,
    ACTOR,
    TIME,
    INGESTED_AT,
    TOPIC,
    PARTITION,
    OFFSET,
    HEADERS,
    PAYLOAD,
    RAW,
    ERROR
  }

  private static TrailRecord copy(TrailRecord r, Field field, Object v) {
    return new TrailRecord(
        field == Field.SEQ ? (Long) v : r.seq(),
        field == Field.STREAM ? (String) v : r.stream(),
        field == Field.SOURCE ? (String) v : r.source(),
        field == Field.ID ? (String) v : r.eventId(),
        field == Field.TYPE ? (String) v : r.type(),
        field == Field.SPEC_VERSION ? (String) v : r.specVersion(),
        field == Field.SUBJECT ? (String) v : r.subject(),
        field == Field.TICKET_ID ? (String) v : r.ticketId(),
        field == Field.ACTOR ? (String) v : r.actor(),
        field == Field.TIME ? (Instant) v : r.eventTime(),
        field == Field.INGESTED_AT ? (Instant) v : r.ingestedAt(),
        field == Field.TOPIC ? (String) v : r.topic(),
        field == Field.PARTITION ? (Integer) v : r.partition(),
        field == Field.OFFSET ? (Long) v : r.offset(),
        field == Field.HEADERS ? (String) v : r.headers(),
        field == Field.PAYLOAD ? (String) v : r.payload(),
        field == Field.RAW ? (byte[]) v : r.rawPayload(),
        field == Field.ERROR ? (String) v : r.parseError(),
        r.prevHash(),
        r.hash());
  }
}
