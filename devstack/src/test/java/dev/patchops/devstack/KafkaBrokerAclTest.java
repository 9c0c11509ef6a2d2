package dev.patchops.devstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.contract.Topics;
import dev.patchops.contract.schema.KafkaAccess.Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real broker, as the tests and the local stack run it, enforces the contract's ACLs: each
 * service's SCRAM user writes only its own events' topics, reads only what it consumes, in its own
 * consumer group; a wrong password is refused.
 */
class KafkaBrokerAclTest {
  private static Path dir;
  private static KafkaBroker broker;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("kafka-acl-test");
    broker = KafkaBroker.create(dir.resolve("kafka"), 1);
    broker.start(Duration.ofSeconds(90));
    try (Admin admin = Admin.create(broker.clientConfig(KafkaBroker.ADMIN))) {
      admin
          .createTopics(Topics.ALL.stream().map(t -> new NewTopic(t, 1, (short) 1)).toList())
          .all()
          .get(60, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
    Dirs.deleteRecursively(dir);
  }

  @Test
  void aServiceWritesItsOwnEventsTopic() throws Exception {
    try (KafkaProducer<String, String> producer = producer(Client.ROLLOUT_SERVICE.user(), null)) {
      assertThat(
              producer
                  .send(new ProducerRecord<>(Topics.ROLLOUTS, "k", "v"))
                  .get(30, TimeUnit.SECONDS)
                  .topic())
          .isEqualTo(Topics.ROLLOUTS);
    }
  }

  @Test
  void aServiceCannotWriteAnotherServicesTopic() {
    try (KafkaProducer<String, String> producer = producer(Client.TEST_ORCHESTRATOR.user(), null)) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(Topics.ROLLOUTS, "k", "forged"))
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void aServiceCannotReadATopicItDoesNotConsume() {
    try (KafkaConsumer<String, String> consumer =
        consumer(Client.TEST_ORCHESTRATOR.user(), Client.TEST_ORCHESTRATOR.group())) {
      consumer.subscribe(List.of(Topics.ROLLOUTS));
      assertThatThrownBy(() -> pollUntilAssigned(consumer))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void aServiceReadsWhatItConsumesInItsOwnGroupOnly() {
    try (KafkaConsumer<String, String> consumer =
        consumer(Client.TEST_ORCHESTRATOR.user(), Client.TEST_ORCHESTRATOR.group())) {
      consumer.subscribe(List.of(Topics.TICKETS));
      pollUntilAssigned(consumer);
      assertThat(consumer.assignment()).isNotEmpty();
    }
    try (KafkaConsumer<String, String> consumer =
        consumer(Client.TEST_ORCHESTRATOR.user(), Client.TICKET_SERVICE.group())) {
      consumer.subscribe(List.of(Topics.TICKETS));
      assertThatThrownBy(() -> pollUntilAssigned(consumer))
          .isInstanceOf(GroupAuthorizationException.class);
    }
  }

  @Test
  void aServiceCannotUseAnotherServicesOutboxTransactionalId() {
    assertThatThrownBy(
            () -> {
              try (KafkaProducer<String, String> producer =
                  producer(Client.TEST_ORCHESTRATOR.user(), "ticket-service-outbox")) {
                producer.initTransactions();
              }
            })
        .isInstanceOf(TransactionalIdAuthorizationException.class);
    try (KafkaProducer<String, String> producer =
        producer(Client.TEST_ORCHESTRATOR.user(), "test-orchestrator-outbox")) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(Topics.TESTS, "k", "v"));
      producer.commitTransaction();
    }
  }

  @Test
  void aWrongPasswordIsRefused() {
    Map<String, Object> config =
        KafkaBroker.clientConfig(
            broker.bootstrapServers(), Client.TICKET_SERVICE.user(), "not-the-password");
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(Topics.TICKETS, "k", "v"))
                      .get(30, TimeUnit.SECONDS))
          .hasRootCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  private static KafkaProducer<String, String> producer(String user, String transactionalId) {
    Map<String, Object> config = broker.clientConfig(user);
    config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    config.put(ProducerConfig.ACKS_CONFIG, "all");
    if (transactionalId != null) {
      config.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    }
    return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
  }

  private static KafkaConsumer<String, String> consumer(String user, String group) {
    Map<String, Object> config = broker.clientConfig(user);
    config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer());
  }

  /** Polls until the group has assigned partitions; the broker's refusal surfaces from poll. */
  private static void pollUntilAssigned(KafkaConsumer<String, String> consumer) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (consumer.assignment().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no partitions assigned within 60 s");
      }
      ConsumerRecords<String, String> ignored = consumer.poll(Duration.ofMillis(200));
      assertThat(ignored).isNotNull();
    }
  }
}
