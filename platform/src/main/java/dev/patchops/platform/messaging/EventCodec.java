package dev.patchops.platform.messaging;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.Provenance;
import dev.patchops.platform.config.PlatformConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reads CloudEvents in Kafka binary mode, strictly: anything off is poison, with the reason. */
@ApplicationScoped
public class EventCodec {
  private final EventSchemas schemas;
  private final Set<String> intakeSources;

  @Inject
  public EventCodec(EventSchemas schemas, PlatformConfig config) {
    this.schemas = schemas;
    this.intakeSources = Set.copyOf(config.inbox().intakeSources().orElse(List.of()));
  }

  public IncomingEvent decode(ConsumerRecord<String, byte[]> record) {
    String specVersion = header(record, CloudEventHeaders.SPEC_VERSION);
    if (!CloudEventHeaders.SPEC_VERSION_VALUE.equals(specVersion)) {
      throw new PoisonMessageException(
          "not a CloudEvents 1.0 binary-mode record: ce_specversion is " + specVersion);
    }
    String id = required(record, CloudEventHeaders.ID);
    String source = required(record, CloudEventHeaders.SOURCE);
    String typeName = required(record, CloudEventHeaders.TYPE);
    EventType type =
        EventType.fromType(typeName)
            .orElseThrow(() -> new PoisonMessageException("unknown event type " + typeName));
    // Before anything else is read: a forged record gets no further than its headers.
    Optional<String> untrusted = Provenance.refusal(type, source, intakeSources);
    if (untrusted.isPresent()) {
      throw new UntrustedSourceException(type, untrusted.get());
    }
    String contentType = header(record, CloudEventHeaders.CONTENT_TYPE);
    if (contentType != null && !contentType.startsWith(CloudEventHeaders.CONTENT_TYPE_JSON)) {
      throw new PoisonMessageException("unsupported content-type " + contentType);
    }
    Instant time = null;
    String timeHeader = header(record, CloudEventHeaders.TIME);
    if (timeHeader != null) {
      try {
        time = Instant.parse(timeHeader);
      } catch (DateTimeParseException e) {
        throw new PoisonMessageException("ce_time is not an RFC 3339 timestamp: " + timeHeader);
      }
    }
    if (record.value() == null) {
      throw new PoisonMessageException("record has no payload");
    }
    JsonNode json;
    try {
      json = ContractJson.mapper().readTree(record.value());
    } catch (IOException e) {
      throw new PoisonMessageException("payload is not valid JSON: " + firstLine(e), e);
    }
    if (json == null || json.isMissingNode()) {
      throw new PoisonMessageException("payload is empty");
    }
    List<String> violations = schemas.violations(type, json);
    if (!violations.isEmpty()) {
      throw new PoisonMessageException(
          "payload violates " + type.type() + " schema: " + String.join("; ", violations));
    }
    PatchOpsEvent payload;
    try {
      payload = ContractJson.mapper().treeToValue(json, type.payloadType());
    } catch (JsonProcessingException e) {
      throw new PoisonMessageException("payload cannot be read: " + firstLine(e), e);
    }
    return new IncomingEvent(
        id,
        source,
        type,
        header(record, CloudEventHeaders.SUBJECT),
        time,
        header(record, CloudEventHeaders.ACTOR),
        record.key(),
        payload,
        record.topic(),
        record.partition(),
        record.offset());
  }

  private static String required(ConsumerRecord<String, byte[]> record, String name) {
    String value = header(record, name);
    if (value == null || value.isBlank()) {
      throw new PoisonMessageException("missing CloudEvents header " + name);
    }
    return value;
  }

  static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static String firstLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
