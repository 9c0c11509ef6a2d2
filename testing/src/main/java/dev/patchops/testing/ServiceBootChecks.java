package dev.patchops.testing;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.contract.Topics;
import dev.patchops.contract.schema.KafkaAccess;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * What every PatchOps service must offer from its first boot: health, metrics, OpenAPI, its own
 * database migrated by Flyway, and an outbox relay that holds the publishing lock. Each service's
 * boot test extends this, annotated with its module's test annotation.
 */
public abstract class ServiceBootChecks {
  @Inject DataSource dataSource;

  @ConfigProperty(name = "patchops.kafka.user")
  String kafkaUser;

  protected abstract String serviceName();

  /** "METHOD /path" of the operations that take no JWT on purpose, such as signed hooks. */
  protected java.util.Set<String> publicOperations() {
    return java.util.Set.of();
  }

  /** Per topic, an event the service acts on (see {@link PoisonRecords.Target}). */
  protected java.util.Map<String, PoisonRecords.Target> poisonTargets() {
    return java.util.Map.of();
  }

  /** False for a consumer that keeps poison, flagged, instead of dead-lettering it. */
  protected boolean parksPoison() {
    return true;
  }

  /** Every PatchOps role (platform's {@code Roles.ALL}, which this module cannot depend on). */
  @SuppressWarnings("unchecked")
  private static List<String> roles() throws ReflectiveOperationException {
    Class<?> roles = Class.forName("dev.patchops.platform.security.Roles");
    return new ArrayList<>(
        new java.util.TreeSet<>((java.util.Set<String>) roles.getField("ALL").get(null)));
  }

  @Test
  void poisonOnEveryTopicItReadsIsDeadLetteredAndStallsNothing() {
    PoisonRecords poison = new PoisonRecords(serviceName(), poisonTargets(), parksPoison());
    List<String> failures = poison.run();
    assertThat(failures).as("poison records, %d sent", poison.poisoned()).isEmpty();
    assertThat(poison.poisoned()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void everyOperationAdmitsItsRolesAndNoOneElse() throws Exception {
    AuthorizationMatrix matrix = new AuthorizationMatrix(roles(), publicOperations());
    List<String> failures = matrix.run();
    assertThat(failures).as("authorization matrix, %d requests", matrix.requests()).isEmpty();
    assertThat(matrix.requests()).isGreaterThan(10);
  }

  /**
   * Generated requests against every operation of the service's own OpenAPI document, with a token
   * of every role: no 5xx, no class name or stack frame in a response, no request slower than the
   * timeout. The README command runs {@link Schemathesis#DEFAULT_EXAMPLES} cases per operation and
   * phase; {@code -Dfuzz.examples=N} runs more.
   */
  @Test
  void generatedRequestsGetNoServerErrorAndLeakNoInternals() throws Exception {
    Schemathesis.Outcome outcome =
        Schemathesis.run(
            serviceName(),
            "http://localhost:" + io.restassured.RestAssured.port,
            roles(),
            new ArrayList<>(fuzzExcludedPaths()));
    System.out.printf(
        "schemathesis against %s: %d requests, %d examples per operation and phase (%s)%n",
        serviceName(), outcome.requests(), Schemathesis.examples(), outcome.report());
    assertThat(outcome.failures())
        .as("schemathesis, %d requests, see %s", outcome.requests(), outcome.report())
        .isEmpty();
    assertThat(outcome.requests()).isGreaterThanOrEqualTo(100);
  }

  /** Paths schemathesis leaves to a test of their own, such as hooks that take no JWT. */
  protected java.util.Set<String> fuzzExcludedPaths() {
    return java.util.Set.of();
  }

  @Test
  void healthIsUp() {
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void openApiDocumentAndSwaggerUiAreServed() {
    given()
        .accept("application/json")
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .body("info.title", containsString(serviceName()));
    given().get("/q/swagger-ui/").then().statusCode(200);
  }

  @Test
  void prometheusMetricsIncludeTheOutboxRelay() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                given()
                    .get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .body(containsString("patchops_outbox_leader 1.0")));
  }

  /**
   * The service runs under its own KafkaUser, and with those credentials the real broker refuses a
   * write to a topic of events it does not own and a read of a topic it does not consume.
   */
  @Test
  void kafkaCredentialsAreTheServicesOwnAndTheBrokerRestrictsThem() {
    assertThat(kafkaUser).isEqualTo(serviceName());
    KafkaAccess.Client client = KafkaAccess.Client.forUser(kafkaUser).orElseThrow();
    String foreign =
        Topics.ALL.stream().filter(t -> !client.writes().contains(t)).findFirst().orElseThrow();
    Map<String, Object> producerConfig = TestInfra.kafkaConfigAs(kafkaUser);
    producerConfig.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(producerConfig, new StringSerializer(), new StringSerializer())) {
      assertThatThrownBy(
              () ->
                  producer
                      .send(new ProducerRecord<>(foreign, "forged", "{}"))
                      .get(30, TimeUnit.SECONDS))
          .as("%s writing %s", kafkaUser, foreign)
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TopicAuthorizationException.class);
    }
    String unread =
        Topics.ALL.stream().filter(t -> !client.consumes().contains(t)).findFirst().orElseThrow();
    // No group: joining the service's own group would take partitions from the service.
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            TestInfra.kafkaConfigAs(kafkaUser),
            new StringDeserializer(),
            new StringDeserializer())) {
      TopicPartition partition = new TopicPartition(unread, 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      assertThatThrownBy(
              () -> {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (System.nanoTime() < deadline) {
                  consumer.poll(Duration.ofMillis(200));
                }
              })
          .as("%s reading %s", kafkaUser, unread)
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void flywayMigratedTheOutboxAndInboxIntoTheServicesDatabase() throws Exception {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          statement.executeQuery(
              "select table_name from information_schema.tables where table_schema = 'public'"
                  + " order by table_name")) {
        while (rs.next()) {
          tables.add(rs.getString(1));
        }
      }
      assertThat(tables)
          .contains("outbox_event", "outbox_key_seq", "inbox_event", "outbox_dead_letter");
      try (ResultSet rs =
          statement.executeQuery(
              "select count(*) filter (where not success) from flyway_schema_history")) {
        rs.next();
        assertThat(rs.getInt(1)).as("failed migrations").isZero();
      }
    }
  }
}
