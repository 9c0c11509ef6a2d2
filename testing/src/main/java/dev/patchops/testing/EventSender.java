package dev.patchops.testing;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.TicketScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Publishes contract events the way another PatchOps service does, with a real producer. */
public final class EventSender {
  private EventSender() {}

  /**
   * @param producer the CloudEvents source's service, e.g. {@code test-orchestrator}
   * @return the CloudEvents id
   */
  public static String send(PatchOpsEvent payload, String producer) {
    String id = UUID.randomUUID().toString();
    send(payload, producer, id);
    return id;
  }

  /** The binary-mode CloudEvents headers of an event of {@code type}, as a mutable map. */
  public static Map<String, String> headers(EventType type, String id, String producer) {
    Map<String, String> headers = new HashMap<>();
    headers.put(CloudEventHeaders.ID, id);
    headers.put(CloudEventHeaders.SOURCE, EventType.source(producer));
    headers.put(CloudEventHeaders.SPEC_VERSION, CloudEventHeaders.SPEC_VERSION_VALUE);
    headers.put(CloudEventHeaders.TYPE, type.type());
    headers.put(CloudEventHeaders.TIME, Instant.now().toString());
    headers.put(CloudEventHeaders.DATA_SCHEMA, type.dataSchema());
    headers.put(CloudEventHeaders.CONTENT_TYPE, CloudEventHeaders.CONTENT_TYPE_JSON);
    headers.put(CloudEventHeaders.ACTOR, producer);
    return headers;
  }

  /** Sends with the CloudEvents id given; returns where the record landed. */
  public static org.apache.kafka.clients.producer.RecordMetadata send(
      PatchOpsEvent payload, String producer, String id) {
    EventType type = EventType.forPayload(payload);
    Map<String, String> headers = headers(type, id, producer);
    if (payload instanceof TicketScoped scoped) {
      headers.put(CloudEventHeaders.TICKET_ID, scoped.ticketId());
    }
    try {
      return TestProducer.send(
          type.topic(),
          payload.partitionKey(),
          ContractJson.mapper().writeValueAsBytes(payload),
          headers);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
