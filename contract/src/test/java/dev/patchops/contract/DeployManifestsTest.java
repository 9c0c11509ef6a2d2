package dev.patchops.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeployManifestsTest {
  private static final Path TOPICS =
      Path.of("..", "deploy", "kubernetes", "base", "kafka-topics.yaml");

  @Test
  void strimziTopicsAreExactlyTheContractsTopics() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Set<String> declared = new HashSet<>();
    try (MappingIterator<JsonNode> docs =
        yaml.readerFor(JsonNode.class).readValues(TOPICS.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isEmpty()) {
          continue;
        }
        assertThat(doc.path("kind").asText()).isEqualTo("KafkaTopic");
        assertThat(doc.at("/metadata/labels/app.kubernetes.io~1managed-by").asText())
            .isEqualTo("patchops");
        assertThat(doc.at("/spec/config/min.insync.replicas").asText()).isEqualTo("2");
        declared.add(doc.at("/spec/topicName").asText());
      }
    }
    assertThat(declared).containsExactlyInAnyOrderElementsOf(Topics.ALL);
  }
}
