package dev.patchops.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.patchops.contract.schema.KafkaAccess;
import dev.patchops.contract.schema.KafkaAccess.Client;
import dev.patchops.contract.schema.KafkaAccess.Grant;
import dev.patchops.contract.schema.KafkaAccess.Operation;
import dev.patchops.contract.schema.KafkaAccess.Resource;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KafkaAccessTest {
  private static final Path USERS = Path.of("..").resolve(KafkaAccess.KAFKA_USERS);

  @Test
  void aServiceWritesOnlyTheTopicsOfItsOwnEventsAndTheDeadLetterTopic() {
    assertThat(Client.TICKET_SERVICE.writes())
        .containsExactly(Topics.TICKETS, Topics.TESTS, Topics.ALERTS, Topics.DEAD_LETTER);
    assertThat(Client.TEST_ORCHESTRATOR.writes()).containsExactly(Topics.TESTS, Topics.DEAD_LETTER);
    assertThat(Client.ROLLOUT_SERVICE.writes())
        .containsExactly(Topics.ROLLOUTS, Topics.DEAD_LETTER);
    assertThat(Client.AUDIT_SERVICE.writes()).containsExactly(Topics.AUDIT, Topics.DEAD_LETTER);
    assertThat(Client.AUDIT_WITNESS.writes()).isEmpty();
  }

  @Test
  void everyEventsTopicIsWritableByItsProducerAndByNoOneElseButForDeadLetters() {
    for (EventType type : EventType.values()) {
      for (Client client : Client.values()) {
        boolean producesOnTopic =
            java.util.Arrays.stream(EventType.values())
                .anyMatch(
                    t ->
                        t.topic().equals(type.topic())
                            && t.producer().serviceName().equals(client.user()));
        assertThat(client.writes().contains(type.topic()))
            .as("%s writes %s (%s)", client, type.topic(), type)
            .isEqualTo(producesOnTopic);
      }
    }
  }

  @Test
  void readsAreTheConsumedTopicsAndTheOwnGroupOnly() {
    for (Client client : Client.values()) {
      assertThat(Topics.ALL).containsAll(client.consumes());
      Set<String> readTopics = new HashSet<>();
      Set<String> groups = new HashSet<>();
      for (Grant grant : client.grants()) {
        assertThat(grant.user()).isEqualTo(client.user());
        if (grant.operation() == Operation.READ && grant.resource() == Resource.TOPIC) {
          readTopics.add(grant.name());
        }
        if (grant.resource() == Resource.GROUP) {
          groups.add(grant.name());
        }
      }
      assertThat(readTopics).containsExactlyInAnyOrderElementsOf(client.consumes());
      assertThat(groups).containsExactly(client.user());
    }
    assertThat(Client.AUDIT_WITNESS.consumes()).containsExactly(Topics.AUDIT);
    assertThat(Client.ROLLOUT_SERVICE.consumes()).doesNotContain(Topics.ROLLOUTS);
  }

  @Test
  void onlyProducersHoldTheirOutboxTransactionalId() {
    assertThat(Client.ROLLOUT_SERVICE.grants())
        .contains(
            new Grant(
                "rollout-service",
                Resource.TRANSACTIONAL_ID,
                "rollout-service-outbox",
                Operation.WRITE));
    assertThat(Client.AUDIT_WITNESS.grants())
        .noneMatch(g -> g.resource() == Resource.TRANSACTIONAL_ID);
  }

  /**
   * Reads the committed manifests as Strimzi would: the ACLs of each KafkaUser are exactly the
   * derivation's grants, and there is one KafkaUser per client.
   */
  @Test
  void committedKafkaUsersGrantExactlyTheDerivation() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, Set<Grant>> declared = new HashMap<>();
    try (MappingIterator<JsonNode> docs =
        yaml.readerFor(JsonNode.class).readValues(USERS.toFile())) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isEmpty()) {
          continue;
        }
        assertThat(doc.path("kind").asText()).isEqualTo("KafkaUser");
        assertThat(doc.at("/spec/authentication/type").asText()).isEqualTo("scram-sha-512");
        assertThat(doc.at("/spec/authorization/type").asText()).isEqualTo("simple");
        String user = doc.at("/metadata/name").asText();
        Set<Grant> grants = new HashSet<>();
        for (JsonNode acl : doc.at("/spec/authorization/acls")) {
          assertThat(acl.at("/resource/patternType").asText()).isEqualTo("literal");
          Resource resource = resource(acl.at("/resource/type").asText());
          for (JsonNode op : acl.path("operations")) {
            grants.add(new Grant(user, resource, acl.at("/resource/name").asText(), operation(op)));
          }
        }
        declared.put(user, grants);
      }
    }
    Map<String, Set<Grant>> derived = new HashMap<>();
    for (Client client : Client.values()) {
      derived.put(client.user(), new HashSet<>(client.grants()));
    }
    assertThat(declared).isEqualTo(derived);
  }

  /** Each Deployment logs in as its own KafkaUser, with the password of that user's Secret. */
  @Test
  void everyDeploymentReadsItsOwnKafkaUsersSecret() throws Exception {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Set<String> users = new HashSet<>();
    for (Client client : Client.values()) {
      Path manifest = Path.of("..", "deploy", "kubernetes", "base", client.user() + ".yaml");
      try (MappingIterator<JsonNode> docs =
          yaml.readerFor(JsonNode.class).readValues(manifest.toFile())) {
        while (docs.hasNext()) {
          JsonNode doc = docs.next();
          if (doc == null || !"Deployment".equals(doc.path("kind").asText())) {
            continue;
          }
          Map<String, JsonNode> env = new HashMap<>();
          for (JsonNode var : doc.at("/spec/template/spec/containers/0/env")) {
            env.put(var.path("name").asText(), var);
          }
          assertThat(env.get("PATCHOPS_KAFKA_USER").path("value").asText())
              .isEqualTo(client.user());
          JsonNode secret = env.get("PATCHOPS_KAFKA_PASSWORD").at("/valueFrom/secretKeyRef");
          assertThat(secret.path("name").asText()).isEqualTo(client.user());
          assertThat(secret.path("key").asText()).isEqualTo("password");
          users.add(client.user());
        }
      }
    }
    assertThat(users).hasSize(Client.values().length);
  }

  private static Resource resource(String strimzi) {
    for (Resource r : Resource.values()) {
      if (r.strimzi().equals(strimzi)) {
        return r;
      }
    }
    throw new AssertionError("unknown Strimzi resource type " + strimzi);
  }

  private static Operation operation(JsonNode op) {
    for (Operation o : Operation.values()) {
      if (o.strimzi().equals(op.asText())) {
        return o;
      }
    }
    throw new AssertionError("unexpected operation " + op + " in " + List.of(Operation.values()));
  }
}
