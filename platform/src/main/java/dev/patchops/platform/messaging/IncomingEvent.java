package dev.patchops.platform.messaging;

import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import java.time.Instant;

/** A decoded, schema-valid CloudEvent from Kafka. */
public record IncomingEvent(
    String id,
    String source,
    EventType type,
    String subject,
    Instant time,
    String actor,
    String key,
    PatchOpsEvent payload,
    String topic,
    int partition,
    long offset) {}
