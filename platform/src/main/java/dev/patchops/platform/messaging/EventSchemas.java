package dev.patchops.platform.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The contract's JSON Schemas, applied at runtime on both sides: a producer can never publish a
 * payload the schema rejects, and a consumer treats one it receives as poison.
 */
@ApplicationScoped
public class EventSchemas {
  private final Map<EventType, JsonSchema> schemas = new EnumMap<>(EventType.class);

  public EventSchemas() {
    JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    for (EventType type : EventType.values()) {
      try (InputStream in =
          EventType.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
        if (in == null) {
          throw new IllegalStateException("schema missing from the contract: " + type.type());
        }
        schemas.put(type, factory.getSchema(ContractJson.mapper().readTree(in)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The violations, empty when the payload is valid. */
  public List<String> violations(EventType type, JsonNode payload) {
    return schemas.get(type).validate(payload).stream().map(ValidationMessage::getMessage).toList();
  }
}
