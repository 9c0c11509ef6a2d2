package dev.patchops.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.patchops.contract.schema.ContractFiles;
import dev.patchops.contract.schema.SamplePayloads;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ContractSchemaTest {
  private static final ObjectMapper JSON = ContractJson.mapper();
  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final Path REPO_ROOT = Path.of("..");

  @Test
  void committedSchemasAndAsyncApiMatchTheRecords() throws IOException {
    boolean write = Boolean.getBoolean("patchops.contract.write");
    List<String> stale = new ArrayList<>();
    for (Map.Entry<String, String> file : ContractFiles.expected().entrySet()) {
      Path path = REPO_ROOT.resolve(file.getKey());
      String committed = Files.exists(path) ? Files.readString(path) : null;
      if (!file.getValue().equals(committed)) {
        if (write) {
          Files.createDirectories(path.getParent());
          Files.writeString(path, file.getValue());
        } else {
          stale.add(file.getKey());
        }
      }
    }
    assertThat(stale)
        .as(
            "generated contract files differ from the payload records; regenerate with"
                + " ./mvnw -pl contract test -Dpatchops.contract.write=true")
        .isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void fullAndMinimalPayloadsValidateAndRoundTrip(EventType type) throws IOException {
    JsonSchema schema = committedSchema(type);
    for (PatchOpsEvent sample : List.of(SamplePayloads.full(type), SamplePayloads.minimal(type))) {
      JsonNode json = JSON.valueToTree(sample);
      assertThat(schema.validate(json)).as("%s: %s", type, json).isEmpty();
      assertThat(JSON.treeToValue(json, type.payloadType())).isEqualTo(sample);
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void schemaRejectsMissingRequiredFieldsUnknownFieldsAndWrongTypes(EventType type)
      throws IOException {
    JsonSchema schema = committedSchema(type);
    ObjectNode full = JSON.valueToTree(SamplePayloads.full(type));
    List<String> required = new ArrayList<>();
    schema.getSchemaNode().get("required").forEach(n -> required.add(n.asText()));
    assertThat(required).isNotEmpty();
    for (String field : required) {
      ObjectNode broken = full.deepCopy();
      broken.remove(field);
      assertThat(messages(schema, broken)).as("without %s", field).anyMatch(m -> m.contains(field));
    }
    ObjectNode extra = full.deepCopy();
    extra.put("surprise", 1);
    assertThat(messages(schema, extra)).anyMatch(m -> m.contains("surprise"));

    ObjectNode wrongType = full.deepCopy();
    String firstRequired = required.get(0);
    wrongType.set(
        firstRequired, JSON.getNodeFactory().arrayNode().add(JSON.getNodeFactory().objectNode()));
    assertThat(messages(schema, wrongType)).isNotEmpty();
  }

  /** The document says what each record key is, as the code computes it. */
  @Test
  void everyMessageStatesItsRecordKeyAsTheCodeComputesIt() {
    var messages =
        dev.patchops.contract.schema.AsyncApiDocument.build().path("components").path("messages");
    for (EventType type : EventType.values()) {
      var key =
          messages
              .path(type.payloadType().getSimpleName())
              .path("bindings")
              .path("kafka")
              .path("key");
      org.assertj.core.api.Assertions.assertThat(key.path("description").asText())
          .as(type.type())
          .startsWith("The record key: the ");
    }
    org.assertj.core.api.Assertions.assertThat(
            messages.path("AuditCheckpointSigned").at("/bindings/kafka/key/description").asText())
        .isEqualTo("The record key: the constant \"audit-chain\".");
    org.assertj.core.api.Assertions.assertThat(
            messages.path("AlertReceived").at("/bindings/kafka/key/description").asText())
        .isEqualTo(
            "The record key: the ticketId field, or the fingerprint field when ticketId is absent.");
    org.assertj.core.api.Assertions.assertThat(
            messages.path("TicketOpened").at("/bindings/kafka/key/description").asText())
        .isEqualTo("The record key: the ticketId field.");
  }

  @Test
  void patternsOnVersionControlAndImageFieldsAreEnforced() throws IOException {
    JsonSchema schema = committedSchema(EventType.PATCH_PROPOSED);
    ObjectNode proposed = JSON.valueToTree(SamplePayloads.full(EventType.PATCH_PROPOSED));
    ObjectNode tagged = proposed.deepCopy();
    tagged.put("image", "registry.example.com/shop/checkout:latest");
    assertThat(messages(schema, tagged)).anyMatch(m -> m.contains("image"));
    ObjectNode shortSha = proposed.deepCopy();
    ((ObjectNode) shortSha.get("vcs")).put("commitSha", "abc123");
    assertThat(messages(schema, shortSha)).anyMatch(m -> m.contains("commitSha"));
  }

  @Test
  void typesAreVersionedUniqueAndEveryTopicCarriesEvents() {
    Set<String> seen = new HashSet<>();
    for (EventType type : EventType.values()) {
      assertThat(type.type()).matches("^dev\\.patchops\\.[a-z]+\\.[a-z-]+\\.v[0-9]+$");
      assertThat(seen.add(type.type())).as("duplicate %s", type.type()).isTrue();
      assertThat(EventType.fromType(type.type())).contains(type);
      assertThat(SamplePayloads.full(type).partitionKey()).isNotBlank();
    }
    for (String topic : Topics.ALL) {
      if (!topic.equals(Topics.DEAD_LETTER)) {
        assertThat(Arrays.stream(EventType.values()).filter(t -> t.topic().equals(topic)))
            .as("events on %s", topic)
            .isNotEmpty();
      }
    }
    assertThat(EventType.fromType("dev.patchops.unknown.v1")).isEmpty();
  }

  private static List<String> messages(JsonSchema schema, JsonNode node) {
    return schema.validate(node).stream().map(ValidationMessage::getMessage).toList();
  }

  private static JsonSchema committedSchema(EventType type) throws IOException {
    try (InputStream in =
        ContractSchemaTest.class.getClassLoader().getResourceAsStream(type.schemaResource())) {
      assertThat(in).as("schema resource %s", type.schemaResource()).isNotNull();
      return FACTORY.getSchema(JSON.readTree(in));
    }
  }
}
