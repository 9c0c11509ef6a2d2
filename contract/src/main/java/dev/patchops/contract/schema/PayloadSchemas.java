package dev.patchops.contract.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;

/**
 * Derives a JSON Schema (draft 2020-12) from a payload record. The committed schema files are the
 * published contract; a test regenerates them from the records and fails on any difference.
 */
public final class PayloadSchemas {
  public static final String DIALECT = "https://json-schema.org/draft/2020-12/schema";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PayloadSchemas() {}

  public static ObjectNode schemaFor(EventType type) {
    ObjectNode schema = NODES.objectNode();
    schema.put("$schema", DIALECT);
    schema.put("$id", type.dataSchema());
    schema.put("title", type.payloadType().getSimpleName());
    schema.put("description", "Payload of CloudEvents type " + type.type());
    schema.setAll(objectSchema(type.payloadType()));
    return schema;
  }

  static ObjectNode objectSchema(Class<?> recordType) {
    if (!recordType.isRecord()) {
      throw new IllegalArgumentException(recordType + " is not a record");
    }
    ObjectNode node = NODES.objectNode();
    node.put("type", "object");
    ObjectNode properties = node.putObject("properties");
    ArrayNode required = NODES.arrayNode();
    for (RecordComponent component : recordType.getRecordComponents()) {
      ObjectNode property = typeSchema(component.getGenericType());
      Pattern pattern = component.getAnnotation(Pattern.class);
      if (pattern != null) {
        property.put("pattern", pattern.value());
      }
      Limit limit = component.getAnnotation(Limit.class);
      if (limit != null) {
        applyLimit(property, limit);
      }
      properties.set(component.getName(), property);
      if (component.getAnnotation(Nullable.class) == null) {
        required.add(component.getName());
      }
    }
    node.set("required", required);
    // Consumers read tolerantly, but producers must not invent fields the schema does not know.
    node.put("additionalProperties", false);
    return node;
  }

  /** maxItems/maxProperties on the container, maxLength on the string or on each string in it. */
  static void applyLimit(ObjectNode property, Limit limit) {
    String type = property.path("type").asText();
    if (limit.items() >= 0) {
      if (type.equals("array")) {
        property.put("maxItems", limit.items());
      } else if (type.equals("object")) {
        property.put("maxProperties", limit.items());
      } else {
        throw new IllegalArgumentException("items limit on a " + type);
      }
    }
    if (limit.length() >= 0) {
      if (type.equals("string")) {
        property.put("maxLength", limit.length());
      } else if (type.equals("array")
          && property.path("items").path("type").asText().equals("string")) {
        ((ObjectNode) property.get("items")).put("maxLength", limit.length());
      } else if (type.equals("object") && property.path("additionalProperties").isObject()) {
        // a map: its keys, and its values when they are strings
        property.putObject("propertyNames").put("maxLength", limit.length());
        if (property.path("additionalProperties").path("type").asText().equals("string")) {
          ((ObjectNode) property.get("additionalProperties")).put("maxLength", limit.length());
        }
      } else {
        throw new IllegalArgumentException("length limit on a " + type);
      }
    }
  }

  static ObjectNode typeSchema(Type type) {
    ObjectNode node = NODES.objectNode();
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] args = parameterized.getActualTypeArguments();
      if (Collection.class.isAssignableFrom(raw)) {
        node.put("type", "array");
        node.set("items", typeSchema(args[0]));
        return node;
      }
      if (Map.class.isAssignableFrom(raw)) {
        if (args[0] != String.class) {
          throw new IllegalArgumentException("map keys must be strings: " + type);
        }
        node.put("type", "object");
        node.set("additionalProperties", typeSchema(args[1]));
        return node;
      }
      throw new IllegalArgumentException("unsupported generic type " + type);
    }
    Class<?> cls = (Class<?>) type;
    if (cls == String.class) {
      node.put("type", "string");
    } else if (cls == UUID.class) {
      node.put("type", "string");
      node.put("format", "uuid");
    } else if (cls == Instant.class) {
      node.put("type", "string");
      node.put("format", "date-time");
    } else if (cls == int.class || cls == Integer.class || cls == long.class || cls == Long.class) {
      node.put("type", "integer");
    } else if (cls == double.class || cls == Double.class) {
      node.put("type", "number");
    } else if (cls == boolean.class || cls == Boolean.class) {
      node.put("type", "boolean");
    } else if (cls.isEnum()) {
      node.put("type", "string");
      ArrayNode values = node.putArray("enum");
      for (Object constant : cls.getEnumConstants()) {
        values.add(((Enum<?>) constant).name());
      }
    } else if (cls.isRecord()) {
      return objectSchema(cls);
    } else {
      throw new IllegalArgumentException("unsupported payload field type " + cls.getName());
    }
    return node;
  }

  /** The schema as it is stored: stable key order, two-space indentation, trailing newline. */
  public static String render(JsonNode schema) {
    try {
      return dev.patchops.contract.ContractJson.mapper()
              .writerWithDefaultPrettyPrinter()
              .writeValueAsString(schema)
          + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
