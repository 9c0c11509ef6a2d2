package dev.patchops.contract.schema;

import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a message's Kafka record key is, said in words and read from the code: the key of the full
 * sample payload and of the minimal one (optional fields absent) is matched to the field that holds
 * it, so the document cannot drift from {@link PatchOpsEvent#partitionKey()}.
 */
final class RecordKeys {
  private RecordKeys() {}

  static String describe(EventType type) {
    String full = field(SamplePayloads.full(type));
    String minimal = field(SamplePayloads.minimal(type));
    if (full == null) {
      return "the constant \"" + SamplePayloads.full(type).partitionKey() + "\"";
    }
    if (minimal == null || minimal.equals(full)) {
      return "the " + full + " field";
    }
    return "the " + full + " field, or the " + minimal + " field when " + full + " is absent";
  }

  /** The field whose value is the payload's key, or null when the key is no field's value. */
  static String field(PatchOpsEvent payload) {
    String key = payload.partitionKey();
    List<String> matches = new ArrayList<>();
    for (RecordComponent c : payload.getClass().getRecordComponents()) {
      try {
        Object value = c.getAccessor().invoke(payload);
        if (value != null && Objects.equals(String.valueOf(value), key)) {
          matches.add(c.getName());
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
    // Sample values are unique per field, except where two fields hold the same ticket.
    return matches.contains("ticketId") ? "ticketId" : matches.isEmpty() ? null : matches.get(0);
  }
}
