package dev.patchops.contract.schema;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may do what on Kafka, derived from the contract: a client writes only the topics whose events
 * it produces ({@link EventType#producer()}), reads only the topics it consumes, and reads only its
 * own consumer group. The test and local brokers' ACLs and the Strimzi {@code KafkaUser} manifests
 * in {@code deploy/} are both built from {@link #grants()}, so they cannot say different things.
 */
public final class KafkaAccess {
  /** The SCRAM mechanism every PatchOps client authenticates with. */
  public static final String SASL_MECHANISM = "SCRAM-SHA-512";

  public static final String KAFKA_USERS = "deploy/kubernetes/base/kafka-users.yaml";

  private static final String NAMESPACE = "patchops";
  private static final String STRIMZI_CLUSTER = "patchops";

  private KafkaAccess() {}

  public enum Resource {
    TOPIC("topic"),
    GROUP("group"),
    TRANSACTIONAL_ID("transactionalId");

    private final String strimzi;

    Resource(String strimzi) {
      this.strimzi = strimzi;
    }

    public String strimzi() {
      return strimzi;
    }
  }

  /** Kafka ACL operations; READ and WRITE imply DESCRIBE on the broker. */
  public enum Operation {
    READ("Read"),
    WRITE("Write");

    private final String strimzi;

    Operation(String strimzi) {
      this.strimzi = strimzi;
    }

    public String strimzi() {
      return strimzi;
    }
  }

  /** One allow rule for one literal resource name. */
  public record Grant(String user, Resource resource, String name, Operation operation) {}

  /**
   * Every Kafka client of PatchOps. A service's user is its service name, which is also its
   * consumer group ({@code mp.messaging.connector.smallrye-kafka.group.id}). What a client consumes
   * is what its {@code @Incoming} channels read: a service that consumed anything else would be
   * refused by the broker in its own test suite, which runs with this user.
   */
  public enum Client {
    TICKET_SERVICE(
        EventType.Producer.TICKET_SERVICE, List.of(Topics.TICKETS, Topics.TESTS, Topics.ROLLOUTS)),
    TEST_ORCHESTRATOR(EventType.Producer.TEST_ORCHESTRATOR, List.of(Topics.TICKETS, Topics.TESTS)),
    ROLLOUT_SERVICE(
        EventType.Producer.ROLLOUT_SERVICE, List.of(Topics.TICKETS, Topics.TESTS, Topics.ALERTS)),
    /** Every topic but its own checkpoints (AuditSubscriptionTest keeps the channel equal). */
    AUDIT_SERVICE(
        EventType.Producer.AUDIT_SERVICE,
        Topics.ALL.stream().filter(t -> !t.equals(Topics.AUDIT)).toList()),
    /**
     * The audit witness (audit-service image, profile {@code witness}): reads the signed
     * checkpoints with its own plain consumer and publishes nothing.
     */
    AUDIT_WITNESS("audit-witness", List.of(Topics.AUDIT), false);

    private final String user;
    private final Optional<EventType.Producer> producer;
    private final List<String> consumes;
    private final boolean deadLetters;

    Client(EventType.Producer producer, List<String> consumes) {
      this.user = producer.serviceName();
      this.producer = Optional.of(producer);
      this.consumes = consumes;
      // Every @Incoming channel goes through InboundEvents, which dead-letters poison records.
      this.deadLetters = true;
    }

    Client(String user, List<String> consumes, boolean deadLetters) {
      this.user = user;
      this.producer = Optional.empty();
      this.consumes = consumes;
      this.deadLetters = deadLetters;
    }

    /** The SCRAM user, the Strimzi {@code KafkaUser} and the Secret holding its password. */
    public String user() {
      return user;
    }

    public List<String> consumes() {
      return consumes;
    }

    /** The topics of the events this client produces, in {@link Topics#ALL} order. */
    public List<String> produces() {
      return producer
          .map(
              p ->
                  Topics.ALL.stream()
                      .filter(
                          topic ->
                              Arrays.stream(EventType.values())
                                  .anyMatch(t -> t.producer() == p && t.topic().equals(topic)))
                      .toList())
          .orElse(List.of());
    }

    /** What this client may write: its own events' topics, and the dead-letter topic. */
    public List<String> writes() {
      Set<String> topics = new LinkedHashSet<>(produces());
      if (deadLetters) {
        topics.add(Topics.DEAD_LETTER);
      }
      return List.copyOf(topics);
    }

    /** The consumer group, which is the user name (the connector's group id is the service). */
    public String group() {
      return user;
    }

    public List<Grant> grants() {
      List<Grant> grants = new ArrayList<>();
      for (String topic : writes()) {
        grants.add(new Grant(user, Resource.TOPIC, topic, Operation.WRITE));
      }
      for (String topic : consumes) {
        grants.add(new Grant(user, Resource.TOPIC, topic, Operation.READ));
      }
      if (!consumes.isEmpty()) {
        grants.add(new Grant(user, Resource.GROUP, group(), Operation.READ));
      }
      if (producer.isPresent()) {
        // The outbox relay publishes in Kafka transactions (platform KafkaProducers).
        grants.add(
            new Grant(
                user, Resource.TRANSACTIONAL_ID, outboxTransactionalId(user), Operation.WRITE));
      }
      return grants;
    }

    public static Optional<Client> forUser(String user) {
      return Arrays.stream(values()).filter(c -> c.user.equals(user)).findFirst();
    }
  }

  /** The transactional id of a service's outbox relay. */
  public static String outboxTransactionalId(String serviceName) {
    return serviceName + "-outbox";
  }

  public static List<Grant> grants() {
    return Arrays.stream(Client.values()).flatMap(c -> c.grants().stream()).toList();
  }

  /** The Strimzi {@code KafkaUser} of every client, one YAML document each. */
  public static String kafkaUsersYaml() {
    StringBuilder out = new StringBuilder();
    out.append("# Generated from dev.patchops.contract.schema.KafkaAccess; do not edit.\n")
        .append("# One Strimzi KafkaUser per PatchOps Kafka client. The User Operator creates a")
        .append(" Secret of the\n# same name whose key \"password\" each Deployment reads")
        .append(" (PATCHOPS_KAFKA_PASSWORD).\n");
    for (Client client : Client.values()) {
      out.append("---\n").append(AsyncApiDocument.renderYaml(kafkaUser(client)));
    }
    return out.toString();
  }

  static ObjectNode kafkaUser(Client client) {
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    ObjectNode user = nodes.objectNode();
    user.put("apiVersion", "kafka.strimzi.io/v1beta2");
    user.put("kind", "KafkaUser");
    ObjectNode metadata = user.putObject("metadata");
    metadata.put("name", client.user());
    metadata.put("namespace", NAMESPACE);
    ObjectNode labels = metadata.putObject("labels");
    labels.put("strimzi.io/cluster", STRIMZI_CLUSTER);
    labels.put("app.kubernetes.io/part-of", "patchops");
    labels.put("app.kubernetes.io/managed-by", "patchops");
    ObjectNode spec = user.putObject("spec");
    spec.putObject("authentication").put("type", "scram-sha-512");
    ObjectNode authorization = spec.putObject("authorization");
    authorization.put("type", "simple");
    ArrayNode acls = authorization.putArray("acls");
    // One rule per resource, its operations together, as Strimzi documents them.
    Set<String> seen = new LinkedHashSet<>();
    for (Grant grant : client.grants()) {
      String key = grant.resource() + "/" + grant.name();
      if (!seen.add(key)) {
        continue;
      }
      ObjectNode acl = acls.addObject();
      ObjectNode resource = acl.putObject("resource");
      resource.put("type", grant.resource().strimzi());
      resource.put("name", grant.name());
      resource.put("patternType", "literal");
      ArrayNode operations = acl.putArray("operations");
      client.grants().stream()
          .filter(g -> g.resource() == grant.resource() && g.name().equals(grant.name()))
          .map(g -> g.operation().strimzi())
          .collect(Collectors.toCollection(LinkedHashSet::new))
          .forEach(operations::add);
      acl.put("host", "*");
    }
    return user;
  }
}
