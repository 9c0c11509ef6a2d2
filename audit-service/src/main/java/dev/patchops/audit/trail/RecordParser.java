package dev.patchops.audit.trail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Provenance;
import dev.patchops.contract.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns any Kafka record into a trail record and never refuses one: what does not parse is kept raw
 * and flagged, because an audit trail that drops what it does not understand is not one.
 */
public final class RecordParser {
  public static final String STREAM_EVENT = "event";
  public static final String STREAM_DEAD_LETTER_PREFIX = "dead-letter/";
  public static final String STREAM_UNKEYED = "unkeyed";

  private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
  private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

  private RecordParser() {}

  public static TrailRecord parse(ConsumerRecord<String, byte[]> record) {
    return parse(record, Set.of());
  }

  /**
   * @param intakeSources outside sources trusted for intake types, as for every other consumer
   */
  public static TrailRecord parse(
      ConsumerRecord<String, byte[]> record, Collection<String> intakeSources) {
    SortedMap<String, String> headers = new TreeMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), header.value() == null ? null : lenientUtf8(header.value()));
    }
    List<String> problems = new ArrayList<>();

    String id = headers.get(CloudEventHeaders.ID);
    String source = headers.get(CloudEventHeaders.SOURCE);
    // A parked copy is a fact of its own (consumer X gave up on the event), so it is keyed apart
    // from the original, once per consumer that parked it.
    String stream =
        Topics.DEAD_LETTER.equals(record.topic())
            ? STREAM_DEAD_LETTER_PREFIX
                + headers.getOrDefault(DeadLetterHeaders.CONSUMER, "unknown-consumer")
            : STREAM_EVENT;
    if (blank(id) || blank(source)) {
      problems.add("missing CloudEvents identity (ce_id, ce_source)");
      stream = STREAM_UNKEYED;
      source = "kafka:" + record.topic();
      id = record.partition() + "/" + record.offset();
    }

    String specVersion = headers.get(CloudEventHeaders.SPEC_VERSION);
    if (!CloudEventHeaders.SPEC_VERSION_VALUE.equals(specVersion)) {
      problems.add("ce_specversion is " + specVersion + ", not 1.0");
    }
    String type = headers.get(CloudEventHeaders.TYPE);
    if (blank(type)) {
      problems.add("missing ce_type");
    } else if (EventType.fromType(type).isEmpty()) {
      problems.add("unknown event type " + type);
    } else if (!STREAM_UNKEYED.equals(stream)) {
      // Kept as evidence of the attempt, but flagged: a forged event never counts as what it
      // claims to be (the change record lists it among the flagged records, not as an approval).
      Provenance.refusal(EventType.fromType(type).get(), source, intakeSources)
          .ifPresent(problems::add);
    }

    Instant time = null;
    String timeHeader = headers.get(CloudEventHeaders.TIME);
    if (timeHeader != null) {
      try {
        // PostgreSQL keeps microseconds; the hash must cover what is stored.
        time = Instant.parse(timeHeader).truncatedTo(ChronoUnit.MICROS);
        if (time.isBefore(EARLIEST) || time.isAfter(LATEST)) {
          problems.add("ce_time is outside years 1 to 9999: " + timeHeader);
          time = null;
        }
      } catch (RuntimeException e) {
        problems.add("ce_time is not an RFC 3339 timestamp: " + timeHeader);
      }
    }

    String payload = null;
    byte[] raw = null;
    if (record.value() == null) {
      problems.add("record has no value");
    } else {
      try {
        payload = ChainHash.canonicalize(strictUtf8(record.value()));
      } catch (CharacterCodingException e) {
        problems.add("value is not UTF-8");
        raw = record.value();
      } catch (RuntimeException e) {
        problems.add("value is not JSON: " + firstLine(e));
        raw = record.value();
      } catch (StackOverflowError e) {
        // JSON nested deeper than any parser's stack: still evidence, kept raw.
        problems.add("value is JSON nested too deeply to canonicalize");
        raw = record.value();
      }
    }

    String ticketId = headers.get(CloudEventHeaders.TICKET_ID);
    if (ticketId == null && payload != null) {
      ticketId = ticketIdField(payload);
    }

    // PostgreSQL text cannot hold NUL; the exact values stay in the escaped headers column.
    String subject = headers.get(CloudEventHeaders.SUBJECT);
    String actor = headers.get(CloudEventHeaders.ACTOR);
    if (Stream.of(stream, source, id, type, specVersion, subject, ticketId, actor)
        .anyMatch(RecordParser::hasNul)) {
      problems.add("an attribute contains NUL, shown as U+FFFD");
    }
    return new TrailRecord(
        0,
        noNul(stream),
        noNul(source),
        noNul(id),
        noNul(type),
        noNul(specVersion),
        noNul(subject),
        noNul(ticketId),
        noNul(actor),
        time,
        null,
        record.topic(),
        record.partition(),
        record.offset(),
        ChainHash.canonicalHeaders(headers),
        payload,
        raw,
        problems.isEmpty() ? null : noNul(String.join("; ", problems)),
        null,
        null);
  }

  /** The unique identity a redelivery would repeat. */
  public record Identity(String stream, String source, String eventId) {
    public static Identity of(TrailRecord r) {
      return new Identity(r.stream(), r.source(), r.eventId());
    }
  }

  private static String ticketIdField(String payload) {
    try {
      JsonNode node = ContractJson.mapper().readTree(payload).get("ticketId");
      return node != null && node.isTextual() ? node.asText() : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static boolean hasNul(String s) {
    return s != null && s.indexOf('\0') >= 0;
  }

  private static String noNul(String s) {
    return hasNul(s) ? s.replace('\0', '\uFFFD') : s;
  }

  private static String strictUtf8(byte[] bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(ByteBuffer.wrap(bytes))
        .toString();
  }

  private static String lenientUtf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String firstLine(Exception e) {
    Throwable cause = e.getCause() != null ? e.getCause() : e;
    String message = String.valueOf(cause.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
