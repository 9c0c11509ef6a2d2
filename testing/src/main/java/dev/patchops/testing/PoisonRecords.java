package dev.patchops.testing;

import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.Topics;
import dev.patchops.contract.schema.SamplePayloads;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Poison on every topic a service's consumer group reads: random bytes, no headers, an unknown
 * type, a schema violation and an oversized value, each followed on the same partition by a valid
 * event. Each poison must reach the dead-letter topic with its reason, and the group must commit
 * past the valid event behind them: no consumer stalls on a record it cannot read.
 */
public final class PoisonRecords {
  /** Under Kafka's 1 MiB record limit, so that it reaches the consumer; far over any payload. */
  static final int OVERSIZED_BYTES = 700_000;

  /**
   * An event of the topic that the consumer acts on, from a sender it trusts. A consumer may skip
   * the types it does not act on by their header, unread, which is right: poison must come as a
   * type it reads.
   */
  public record Target(EventType type, String sender) {}

  private final String group;
  private final Map<String, Target> targets;
  private final boolean parks;
  private final List<String> failures = new ArrayList<>();
  private int poisoned;

  /**
   * @param targets per topic, the event to poison; a topic not listed gets its first event type
   *     that another service publishes, sent by that service
   */
  public PoisonRecords(String group, Map<String, Target> targets) {
    this(group, targets, true);
  }

  /**
   * @param parks false for a consumer that keeps every record, poison included, and flags what it
   *     cannot read instead of parking it (the audit trail): then only "it moved on" is checked
   */
  public PoisonRecords(String group, Map<String, Target> targets, boolean parks) {
    this.group = group;
    this.targets = targets;
    this.parks = parks;
  }

  public int poisoned() {
    return poisoned;
  }

  /** The topics the group reads, from its members' assignments on the broker. */
  public Set<String> consumedTopics() {
    Set<String> topics = new TreeSet<>();
    try (Admin admin = Admin.create(TestInfra.kafkaConfig())) {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(
              () -> {
                ConsumerGroupDescription description =
                    admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                for (MemberDescription member : description.members()) {
                  for (TopicPartition p : member.assignment().topicPartitions()) {
                    topics.add(p.topic());
                  }
                }
                return !topics.isEmpty();
              });
    }
    return topics;
  }

  /** Failures, one line each; empty when every poison was parked and the group moved on. */
  public List<String> run() {
    Set<String> topics = consumedTopics();
    // Parked records of the dead-letter topic itself would be dead-lettered into it again.
    topics.remove(Topics.DEAD_LETTER);
    for (String topic : topics) {
      poison(topic);
    }
    return failures;
  }

  private void poison(String topic) {
    Target target = targets.containsKey(topic) ? targets.get(topic) : defaultTarget(topic);
    EventType type = target.type();
    String sender = target.sender();
    PatchOpsEvent sample = SamplePayloads.minimal(type);
    String key = sample.partitionKey();
    byte[] valid = json(sample);
    Map<String, byte[]> kinds = new LinkedHashMap<>();
    byte[] random = new byte[64];
    new Random(topic.hashCode()).nextBytes(random);
    kinds.put("random bytes", random);
    kinds.put("no headers", valid);
    kinds.put("unknown type", valid);
    kinds.put("schema violation", "{}".getBytes(StandardCharsets.UTF_8));
    kinds.put(
        "oversized",
        ("{\"x\":\"" + "x".repeat(OVERSIZED_BYTES) + "\"}").getBytes(StandardCharsets.UTF_8));
    Map<Long, String> offsets = new HashMap<>();
    try (KafkaProbe deadLetters = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      for (Map.Entry<String, byte[]> kind : kinds.entrySet()) {
        Map<String, String> headers = headers(type, sender, kind.getKey());
        RecordMetadata sent = TestProducer.send(topic, key, kind.getValue(), headers);
        offsets.put(sent.offset(), kind.getKey());
        poisoned++;
      }
      RecordMetadata behind =
          TestProducer.send(
              topic, key, valid, EventSender.headers(type, UUID.randomUUID().toString(), sender));
      try {
        Delivered.consumed(group, behind);
      } catch (RuntimeException e) {
        failures.add(
            topic + ": " + group + " did not get past the poison (" + e.getMessage() + ")");
        return;
      }
      if (!parks) {
        return;
      }
      List<ConsumerRecord<String, byte[]>> parked =
          deadLetters.collect(
              r ->
                  topic.equals(KafkaProbe.header(r, DeadLetterHeaders.ORIGINAL_TOPIC))
                      && offsets.containsKey(offsetOf(r)),
              offsets.size(),
              Duration.ofSeconds(30));
      Set<Long> seen = new TreeSet<>();
      for (ConsumerRecord<String, byte[]> record : parked) {
        long offset = offsetOf(record);
        String reason = KafkaProbe.header(record, DeadLetterHeaders.REASON);
        if (reason == null || reason.isBlank()) {
          failures.add(topic + " " + offsets.get(offset) + ": dead-lettered without a reason");
        }
        if (!seen.add(offset)) {
          failures.add(topic + " " + offsets.get(offset) + ": dead-lettered twice");
        }
      }
      for (Map.Entry<Long, String> poison : offsets.entrySet()) {
        if (!seen.contains(poison.getKey())) {
          failures.add(topic + " " + poison.getValue() + ": not on the dead-letter topic");
        }
      }
    }
  }

  private static long offsetOf(ConsumerRecord<String, byte[]> record) {
    String offset = KafkaProbe.header(record, DeadLetterHeaders.ORIGINAL_OFFSET);
    return offset == null ? -1 : Long.parseLong(offset);
  }

  private static Map<String, String> headers(EventType type, String sender, String kind) {
    Map<String, String> headers = EventSender.headers(type, UUID.randomUUID().toString(), sender);
    switch (kind) {
      case "no headers" -> headers.clear();
      case "unknown type" -> headers.put(CloudEventHeaders.TYPE, "dev.patchops.poison.v1");
      default -> {}
    }
    return headers;
  }

  private Target defaultTarget(String topic) {
    for (EventType type : EventType.values()) {
      if (type.topic().equals(topic) && !type.producer().serviceName().equals(group)) {
        return new Target(type, type.producer().serviceName());
      }
    }
    throw new IllegalStateException(
        "no event of " + topic + " comes from another service: name a target for " + group);
  }

  private static byte[] json(PatchOpsEvent event) {
    try {
      return ContractJson.mapper().writeValueAsBytes(event);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
