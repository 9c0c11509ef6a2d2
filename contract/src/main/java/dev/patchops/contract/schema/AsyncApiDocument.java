package dev.patchops.contract.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import java.util.Arrays;
import java.util.List;

/** Builds the AsyncAPI 3.0 document of every topic and message from {@link EventType}. */
public final class AsyncApiDocument {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private AsyncApiDocument() {}

  public static ObjectNode build() {
    ObjectNode doc = NODES.objectNode();
    doc.put("asyncapi", "3.0.0");
    ObjectNode info = doc.putObject("info");
    info.put("title", "PatchOps events");
    info.put("version", "1.0.0");
    info.put(
        "description",
        "CloudEvents 1.0 in Kafka binary mode: attributes are ce_ headers, the value is the JSON"
            + " payload. The record key is the ticket id wherever there is a ticket, so that a"
            + " ticket's events stay in order; each message's bindings.kafka.key says what its key"
            + " is. Generated from dev.patchops.contract.EventType; do not edit.");
    doc.put("defaultContentType", CloudEventHeaders.CONTENT_TYPE_JSON);

    ObjectNode channels = doc.putObject("channels");
    ObjectNode operations = doc.putObject("operations");
    ObjectNode components = doc.putObject("components");
    ObjectNode messages = components.putObject("messages");
    ObjectNode schemas = components.putObject("schemas");
    components.set("messageTraits", messageTraits());

    for (String topic : Topics.ALL) {
      ObjectNode channel = channels.putObject(channelId(topic));
      channel.put("address", topic);
      ObjectNode channelMessages = channel.putObject("messages");
      List<EventType> types =
          Arrays.stream(EventType.values()).filter(t -> t.topic().equals(topic)).toList();
      if (topic.equals(Topics.DEAD_LETTER)) {
        channel.put(
            "description",
            "Records that could not be parsed or processed after bounded retries, with the reason"
                + " in patchops-dlq-* headers. Any message of any other channel may appear here.");
      }
      for (EventType type : types) {
        String messageId = type.payloadType().getSimpleName();
        channelMessages.putObject(messageId).put("$ref", "#/components/messages/" + messageId);
        ObjectNode message = messages.putObject(messageId);
        message.put("name", type.type());
        message.put("title", messageId);
        message.put("summary", "Produced by " + type.producer().serviceName());
        message.putObject("payload").put("$ref", "#/components/schemas/" + messageId);
        message
            .putArray("examples")
            .addObject()
            .put("name", "full")
            .set(
                "payload",
                dev.patchops.contract.ContractJson.mapper().valueToTree(SamplePayloads.full(type)));
        message.putArray("traits").addObject().put("$ref", "#/components/messageTraits/cloudEvent");
        message
            .putObject("bindings")
            .putObject("kafka")
            .putObject("key")
            .put("type", "string")
            .put("description", "The record key: " + RecordKeys.describe(type) + ".");
        ObjectNode schema = PayloadSchemas.schemaFor(type);
        schema.remove("$schema");
        schemas.set(messageId, schema);

        ObjectNode operation = operations.putObject("publish" + messageId);
        operation.put("action", "send");
        operation.putObject("channel").put("$ref", "#/channels/" + channelId(topic));
        operation
            .putArray("messages")
            .addObject()
            .put("$ref", "#/channels/" + channelId(topic) + "/messages/" + messageId);
      }
    }
    return doc;
  }

  private static ObjectNode messageTraits() {
    ObjectNode traits = NODES.objectNode();
    ObjectNode trait = traits.putObject("cloudEvent");
    ObjectNode headers = trait.putObject("headers");
    headers.put("type", "object");
    ObjectNode props = headers.putObject("properties");
    props.putObject(CloudEventHeaders.ID).put("type", "string");
    props.putObject(CloudEventHeaders.SOURCE).put("type", "string");
    props.putObject(CloudEventHeaders.SPEC_VERSION).put("const", "1.0");
    props.putObject(CloudEventHeaders.TYPE).put("type", "string");
    props.putObject(CloudEventHeaders.SUBJECT).put("type", "string");
    props.putObject(CloudEventHeaders.TIME).put("type", "string");
    props.putObject(CloudEventHeaders.DATA_SCHEMA).put("type", "string");
    props.putObject(CloudEventHeaders.TICKET_ID).put("type", "string");
    props.putObject(CloudEventHeaders.ACTOR).put("type", "string");
    props
        .putObject(CloudEventHeaders.CONTENT_TYPE)
        .put("const", CloudEventHeaders.CONTENT_TYPE_JSON);
    headers
        .putArray("required")
        .add(CloudEventHeaders.ID)
        .add(CloudEventHeaders.SOURCE)
        .add(CloudEventHeaders.SPEC_VERSION)
        .add(CloudEventHeaders.TYPE);
    trait.putObject("bindings").putObject("kafka").putObject("key").put("type", "string");
    return traits;
  }

  private static String channelId(String topic) {
    return topic.replace("patchops.", "").replace("-", "");
  }

  public static String renderYaml(ObjectNode doc) {
    try {
      ObjectMapper yaml =
          new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
      return yaml.writeValueAsString(doc);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
