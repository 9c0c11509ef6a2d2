package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.model.Quarantine;
import dev.patchops.devstack.KafkaBroker;
import dev.patchops.sandbox.SimulatedKubelet;
import dev.patchops.testing.CrashPoint;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole patch flow across the four packaged services, each its own process, with the broker,
 * PostgreSQL and the sandbox: the demo's story with a check at every step, then the rollout-service
 * killed with SIGKILL in the middle of a canary.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PatchFlowIT {
  static final String SHOP = Sandbox.NAMESPACE;

  /** Another checkout of the project may run this suite on the same machine: give it another. */
  static final int PORT_BASE = Integer.getInteger("patchops.e2e.port-base", 18281);

  static LocalStack stack;
  static Path home;
  static Demo demo;
  static KubernetesClient kube;
  static final List<ConsumerRecord<String, byte[]>> events = new CopyOnWriteArrayList<>();

  /** How far the suite's consumer has read each partition into {@link #events}. */
  static final Map<TopicPartition, Long> positions = new ConcurrentHashMap<>();

  static final Set<String> namespacesSeen = ConcurrentHashMap.newKeySet();
  static final AtomicBoolean consuming = new AtomicBoolean(true);
  static Thread consumer;
  static SharedIndexInformer<Namespace> namespaces;
  static LocalStack.Keys keys;

  /** The outbound webhook's receiver: what a chat channel would be sent. */
  static com.sun.net.httpserver.HttpServer webhook;

  static final List<JsonNode> notifications = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startTheSuite() throws Exception {
    home = Files.createTempDirectory("patchops-e2e");
    webhook =
        com.sun.net.httpserver.HttpServer.create(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    webhook.createContext(
        "/hook",
        exchange -> {
          notifications.add(ContractJson.mapper().readTree(exchange.getRequestBody()));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    webhook.start();
    stack =
        new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, PORT_BASE, Map.of())
            .withServiceEnv(
                "rollout-service",
                Map.of(
                    "ROLLOUT_WATCH_WINDOW",
                    "4s",
                    "PATCHOPS_ROLLOUT_NOTIFY_URL",
                    "http://127.0.0.1:" + webhook.getAddress().getPort() + "/hook"))
            // A run whose executor crashed is taken up within one lease: short, to keep this short.
            .withServiceEnv("test-orchestrator", Map.of("ORCHESTRATOR_RUN_LEASE", "15s"));
    stack.start();
    kube = stack.kubernetes();
    namespaces =
        kube.namespaces()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Namespace ns) {
                    namespacesSeen.add(ns.getMetadata().getName());
                  }

                  @Override
                  public void onUpdate(Namespace before, Namespace after) {}

                  @Override
                  public void onDelete(Namespace ns, boolean unknown) {}
                },
                0);
    consumer = new Thread(PatchFlowIT::consumeEverything, "e2e-consumer");
    consumer.setDaemon(true);
    consumer.start();
    keys = LocalStack.Keys.loadOrCreate(home.resolve("keys"));
    demo =
        new Demo(
            Demo.Endpoints.local("127.0.0.1", PORT_BASE, keys.hookToken, keys.jwt), Demo.CONSOLE);
  }

  @AfterAll
  static void stopTheSuite() throws Exception {
    consuming.set(false);
    if (consumer != null) {
      consumer.join(10_000);
    }
    if (namespaces != null) {
      namespaces.close();
    }
    if (stack != null) {
      stack.stop();
    }
    if (webhook != null) {
      webhook.stop(0);
    }
  }

  /** Every topic from its start, with a plain consumer: what another team's service would see. */
  static void consumeEverything() {
    Properties props = new Properties();
    props.putAll(stack.kafkaClientConfig(KafkaBroker.ADMIN));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : Topics.ALL) {
        c.partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      c.assign(partitions);
      c.seekToBeginning(partitions);
      while (consuming.get()) {
        c.poll(Duration.ofMillis(200)).forEach(events::add);
        // After the records are in the list: a position read here means they are there to see.
        partitions.forEach(p -> positions.put(p, c.position(p)));
      }
    }
  }

  static String header(ConsumerRecord<String, byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  static JsonNode data(ConsumerRecord<String, byte[]> r) {
    try {
      return ContractJson.mapper().readTree(r.value());
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON on " + r.topic(), e);
    }
  }

  /** The events of one ticket and type read so far. */
  static List<ConsumerRecord<String, byte[]>> eventsOf(String ticket, EventType type) {
    return events.stream()
        .filter(r -> type.type().equals(header(r, CloudEventHeaders.TYPE)))
        // Alerts name their ticket only in the payload: they exist before any ticket does.
        .filter(
            r ->
                ticket.equals(header(r, CloudEventHeaders.TICKET_ID))
                    || ticket.equals(data(r).path("ticketId").asText()))
        .toList();
  }

  /** The events of one ticket and type, once at least {@code count} have arrived. */
  static List<ConsumerRecord<String, byte[]>> awaitEvents(
      String ticket, EventType type, int count) {
    return await()
        .alias("expected " + count + " " + type.type() + " for " + ticket)
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> eventsOf(ticket, type), found -> found.size() >= count);
  }

  /**
   * Exactly one, on a marker rather than after a while: the producer's outbox has sent every event
   * it had written (a second copy included), and the suite's consumer has read every partition up
   * to its end as of then, so a second copy would be among the events.
   */
  static void exactlyOne(String ticket, EventType type) throws Exception {
    awaitEvents(ticket, type, 1);
    outboxSent(type.producer().serviceName());
    readToTheEnd();
    assertThat(eventsOf(ticket, type)).as(type.type() + " for " + ticket).hasSize(1);
  }

  /** Waits until the service's outbox relay has sent every event its database holds now. */
  static void outboxSent(String service) throws Exception {
    long upTo;
    try (var c = stack.databaseConnection(service);
        var st = c.prepareStatement("select coalesce(max(id), 0) from outbox_event");
        var rs = st.executeQuery()) {
      rs.next();
      upTo = rs.getLong(1);
    }
    await()
        .alias(service + " outbox sent up to " + upTo)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              try (var c = stack.databaseConnection(service);
                  var st =
                      c.prepareStatement(
                          "select count(*) from outbox_event where sent_at is null and id <= ?")) {
                st.setLong(1, upTo);
                try (var rs = st.executeQuery()) {
                  rs.next();
                  return rs.getLong(1) == 0;
                }
              }
            });
  }

  /** Waits until the suite's consumer has read every partition up to its end as of this call. */
  static void readToTheEnd() {
    Properties props = new Properties();
    props.putAll(stack.kafkaClientConfig(KafkaBroker.ADMIN));
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<TopicPartition, Long> end;
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : Topics.ALL) {
        c.partitionsFor(topic)
            .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
      }
      end = c.endOffsets(partitions);
    }
    await()
        .alias("the suite's consumer at the end offsets " + end)
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                end.entrySet().stream()
                    .allMatch(e -> positions.getOrDefault(e.getKey(), -1L) >= e.getValue()));
  }

  static Deployment deployment(String name) {
    return kube.apps().deployments().inNamespace(SHOP).withName(name).get();
  }

  static String liveImage(String name) {
    return deployment(name).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  static JsonNode json(Object o) {
    return ContractJson.mapper().valueToTree(o);
  }

  // The checkout story's chapters hand these on, within the one test that tells it.
  String checkoutTicket;
  JsonNode specBefore;
  JsonNode configBefore;
  JsonNode secretBefore;
  String canaryImage;

  /**
   * One story, told in chapters that build on each other (the ticket, its revisions, the reverted
   * and the promoted rollout): one test, so no chapter runs without the ones before it and no state
   * is carried from one test method to another. The other tests of the class set up their own.
   */
  @Test
  @Order(1)
  void theCheckoutStoryFromAnAlertToItsChangeRecord() throws Exception {
    anAlertOpensATicketAndTheRootCauseIsRecorded();
    revisionOneFailsInAMirrorThatIsDeletedAfterwards();
    revisionTwoPassesAndOnlyAnotherPersonMayApproveIt();
    theCrashingCanaryIsRevertedExactlyToItsCheckpoint();
    revisionThreeIsPromotedWatchedResolvedAndFullyRecorded();
    everyEventIsACloudEventAndNoneIsDoubled();
  }

  private void anAlertOpensATicketAndTheRootCauseIsRecorded() throws Exception {
    specBefore = json(deployment("checkout").getSpec());
    configBefore =
        json(kube.configMaps().inNamespace(SHOP).withName("checkout-config").get().getData());
    secretBefore = json(kube.secrets().inNamespace(SHOP).withName("checkout-db").get().getData());

    checkoutTicket = demo.alert("checkout");
    assertThat(demo.ticketState(checkoutTicket)).isEqualTo("OPENED");
    ConsumerRecord<String, byte[]> opened =
        awaitEvents(checkoutTicket, EventType.TICKET_OPENED, 1).get(0);
    assertThat(opened.topic()).isEqualTo(Topics.TICKETS);
    assertThat(awaitEvents(checkoutTicket, EventType.ALERT_RECEIVED, 1).get(0).topic())
        .isEqualTo(Topics.ALERTS);

    demo.diagnose(checkoutTicket, "checkout");
    assertThat(demo.ticketState(checkoutTicket)).isEqualTo("ROOT_CAUSE_IDENTIFIED");
    JsonNode rootCause = data(awaitEvents(checkoutTicket, EventType.ROOT_CAUSE_RECORDED, 1).get(0));
    assertThat(rootCause.path("whys")).hasSize(5);
  }

  private void revisionOneFailsInAMirrorThatIsDeletedAfterwards() throws Exception {
    demo.injectTestFailure(
        "shop-e2e-tests", "shop.CheckoutIT.refundsAfterCapture", "expected 200 but was 502");
    int rev = demo.propose(checkoutTicket, "checkout", 1);
    JsonNode tested = demo.awaitTested(checkoutTicket, rev);
    demo.clearFaults();

    assertThat(tested.path("testOutcome").asText()).isEqualTo("FAILED");
    assertThat(demo.ticketState(checkoutTicket)).isEqualTo("CHANGES_REQUESTED");
    JsonNode analytics = tested.path("testAnalytics");
    assertThat(analytics.path("suites").get(0).path("tests").asInt()).isEqualTo(4);
    assertThat(analytics.path("suites").get(0).path("failures").asInt()).isEqualTo(1);
    assertThat(analytics.path("failureMessages").get(0).asText())
        .contains("refundsAfterCapture", "expected 200 but was 502");

    String mirror = tested.path("testNamespace").asText();
    assertThat(namespacesSeen).contains(mirror);
    awaitEvents(checkoutTicket, EventType.TEST_ENVIRONMENT_DELETED, 1);
    // Deletion is asynchronous on a real cluster: the namespace controller empties it first.
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                assertThat(kube.namespaces().withName(mirror).get()).as("mirror deleted").isNull());
    assertThat(kube.pods().inNamespace(mirror).list().getItems()).as("nothing left").isEmpty();
    // Production was never touched by the test.
    assertThat(json(deployment("checkout").getSpec())).isEqualTo(specBefore);
    JsonNode completed = data(awaitEvents(checkoutTicket, EventType.TEST_RUN_COMPLETED, 1).get(0));
    assertThat(completed.path("outcome").asText()).isEqualTo("FAILED");
    assertThat(completed.path("attempt").asInt()).isEqualTo(1);
    assertThat(analytics.hasNonNull("changesSinceLastAttempt")).as("first attempt").isFalse();

    // Its author is told, through the outbound webhook, with the failure and a link.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                notifications.stream()
                    .anyMatch(
                        n ->
                            n.path("kind").asText().equals("TESTS_FAILED")
                                && n.path("ticketId").asText().equals(checkoutTicket)));
    JsonNode notice =
        notifications.stream()
            .filter(n -> n.path("kind").asText().equals("TESTS_FAILED"))
            .filter(n -> n.path("ticketId").asText().equals(checkoutTicket))
            .findFirst()
            .orElseThrow()
            .path("details");
    assertThat(notice.path("to").asText()).isEqualTo("erin");
    assertThat(notice.path("revision").asInt()).isEqualTo(rev);
    assertThat(notice.path("failures").get(0).asText())
        .contains("refundsAfterCapture", "expected 200 but was 502");
    assertThat(notice.path("link").asText())
        .endsWith("/api/v1/tickets/" + checkoutTicket + "/revisions/" + rev);
  }

  /** Waits for the revision's tests, which must have passed. */
  static JsonNode awaitPassed(Demo demo, String ticket, int revision) throws Exception {
    JsonNode tested = demo.awaitTested(ticket, revision);
    assertThat(tested.path("testOutcome").asText()).isEqualTo("PASSED");
    return tested;
  }

  private void revisionTwoPassesAndOnlyAnotherPersonMayApproveIt() throws Exception {
    int rev = demo.propose(checkoutTicket, "checkout", 2);
    JsonNode tested = awaitPassed(demo, checkoutTicket, rev);
    // Compared with revision 1's attempt: the test it failed is fixed, and nothing else changed.
    JsonNode changes = tested.path("testAnalytics").path("changesSinceLastAttempt");
    assertThat(changes.isObject()).as("%s", changes).isTrue();
    assertThat(changes.path("previousAttempt").asInt()).isEqualTo(1);
    assertThat(changes.path("previousRevision").asInt()).isEqualTo(1);
    assertThat(changes.path("fixed")).hasSize(1);
    assertThat(changes.path("fixed").get(0).asText())
        .isEqualTo("e2e / shop.CheckoutIT.refundsAfterCapture");
    assertThat(changes.path("newlyFailing")).isEmpty();
    assertThat(changes.path("stillFailing")).isEmpty();
    assertThat(changes.path("flaky")).isEmpty();
    assertThat(
            data(awaitEvents(checkoutTicket, EventType.TEST_RUN_COMPLETED, 2).get(1))
                .path("attempt")
                .asInt())
        .isEqualTo(2);
    // Passing tests tell no one.
    assertThat(notifications)
        .filteredOn(n -> n.path("kind").asText().equals("TESTS_FAILED"))
        .filteredOn(n -> n.path("ticketId").asText().equals(checkoutTicket))
        .hasSize(1);
    assertThat(demo.ticketState(checkoutTicket)).isEqualTo("AWAITING_APPROVAL");
    assertThat(awaitEvents(checkoutTicket, EventType.TEST_ENVIRONMENT_DELETED, 2)).hasSize(2);

    canaryImage = tested.path("image").asText();
    demo.injectPodFault(canaryImage, "crashloop");
    demo.approve(checkoutTicket, rev); // the author's 403 is checked inside
    JsonNode refused = data(awaitEvents(checkoutTicket, EventType.GATE_REFUSED, 1).get(0));
    assertThat(refused.toString()).contains("erin");
    JsonNode approved = data(awaitEvents(checkoutTicket, EventType.PATCH_APPROVED, 1).get(0));
    assertThat(approved.toString()).contains("alice");
  }

  private void theCrashingCanaryIsRevertedExactlyToItsCheckpoint() throws Exception {
    JsonNode rollout = demo.awaitRollout(checkoutTicket, 2, Demo.ENDED);
    demo.clearFaults();
    assertThat(rollout.path("phase").asText()).isEqualTo("REVERTED");
    assertThat(rollout.path("revertReason").asText()).contains("CrashLoopBackOff");
    assertThat(awaitEvents(checkoutTicket, EventType.CHECKPOINT_RECORDED, 1)).hasSize(1);
    JsonNode completed = data(awaitEvents(checkoutTicket, EventType.REVERT_COMPLETED, 1).get(0));
    assertThat(completed.path("verified").asBoolean()).isTrue();
    assertThat(completed.path("durationMs").asLong()).isPositive();

    assertThat(json(deployment("checkout").getSpec())).isEqualTo(specBefore);
    assertThat(
            json(kube.configMaps().inNamespace(SHOP).withName("checkout-config").get().getData()))
        .isEqualTo(configBefore);
    assertThat(json(kube.secrets().inNamespace(SHOP).withName("checkout-db").get().getData()))
        .isEqualTo(secretBefore);
    assertNoCanary("checkout");
    demo.awaitTicketState(checkoutTicket, "CHANGES_REQUESTED");
    JsonNode revision =
        demo.get(
            stack.url("ticket-service") + "/api/v1/tickets/" + checkoutTicket + "/revisions/2",
            "ada",
            "auditor");
    assertThat(revision.path("revertReason").asText()).contains("CrashLoopBackOff");
  }

  private void revisionThreeIsPromotedWatchedResolvedAndFullyRecorded() throws Exception {
    int rev = demo.propose(checkoutTicket, "checkout", 3);
    JsonNode tested = awaitPassed(demo, checkoutTicket, rev);
    demo.approve(checkoutTicket, rev);
    JsonNode rollout = demo.awaitRollout(checkoutTicket, rev, Demo.ENDED);
    assertThat(rollout.path("phase").asText()).isIn("WATCHING", "SUCCEEDED");
    assertThat(liveImage("checkout")).isEqualTo(tested.path("image").asText());
    assertNoCanary("checkout");
    demo.awaitTicketState(checkoutTicket, "RESOLVED");
    exactlyOne(checkoutTicket, EventType.WATCH_WINDOW_PASSED);
    exactlyOne(checkoutTicket, EventType.ROLLOUT_PROMOTED);

    demo.close(checkoutTicket);
    JsonNode record = demo.awaitCompleteChangeRecord(checkoutTicket);
    assertThat(record.path("revisions")).hasSize(3);
    // The change record shows the comparison: revision 2's run fixed what revision 1's failed.
    assertThat(
            record
                .path("revisions")
                .get(1)
                .path("testRuns")
                .get(0)
                .path("analytics")
                .path("changesSinceLastAttempt")
                .path("fixed")
                .get(0)
                .asText())
        .isEqualTo("e2e / shop.CheckoutIT.refundsAfterCapture");
    assertThat(record.path("rollouts")).hasSize(2);
    assertThat(record.path("rootCauses")).hasSize(1);
    assertThat(record.path("outcome").path("state").asText()).isEqualTo("CLOSED");
    JsonNode verify = demo.awaitChainVerified();
    assertThat(verify.path("valid").asBoolean()).isTrue();
    String html =
        demo.send(
                java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create(
                        stack.url("audit-service")
                            + "/api/v1/tickets/"
                            + checkoutTicket
                            + "/change-record?format=html")),
                demo.token("ada", "auditor"))
            .body();
    assertThat(html).contains(checkoutTicket, "CrashLoopBackOff");
  }

  /** Every event read so far, of every story, is a CloudEvent and was published once. */
  static void everyEventIsACloudEventAndNoneIsDoubled() {
    Set<String> topics = everyEventSoFarIsACloudEventAndNoneIsDoubled();
    assertThat(topics).contains(Topics.TICKETS, Topics.ALERTS, Topics.TESTS, Topics.ROLLOUTS);
  }

  /**
   * The same for whatever stories ran so far (a crash-matrix row may run alone); the topics seen.
   */
  static Set<String> everyEventSoFarIsACloudEventAndNoneIsDoubled() {
    assertThat(events).isNotEmpty();
    Set<String> topics = new HashSet<>();
    Set<String> ids = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : events) {
      topics.add(r.topic());
      assertThat(header(r, CloudEventHeaders.SPEC_VERSION)).as(r.topic()).isEqualTo("1.0");
      assertThat(header(r, CloudEventHeaders.TYPE)).as(r.topic()).startsWith("dev.patchops.");
      assertThat(header(r, CloudEventHeaders.SOURCE)).as(r.topic()).isNotBlank();
      assertThat(header(r, CloudEventHeaders.TIME)).as(r.topic()).isNotBlank();
      assertThat(header(r, CloudEventHeaders.CONTENT_TYPE))
          .as(r.topic())
          .startsWith("application/json");
      assertThat(
              ids.add(header(r, CloudEventHeaders.SOURCE) + "|" + header(r, CloudEventHeaders.ID)))
          .as("published once: " + header(r, CloudEventHeaders.TYPE))
          .isTrue();
    }
    assertThat(topics).as("nothing dead-lettered").doesNotContain(Topics.DEAD_LETTER);
    return topics;
  }

  @Test
  @Order(2)
  void aRolloutServiceKilledMidCanaryFinishesTheRolloutAfterRestart() throws Exception {
    String ticket = demo.alert("catalog");
    demo.diagnose(ticket, "catalog");
    int rev = demo.propose(ticket, "catalog", 1);
    JsonNode tested = awaitPassed(demo, ticket, rev);
    demo.approve(ticket, rev);
    demo.await(
        "a canary of catalog",
        () ->
            json(
                kube.apps()
                    .deployments()
                    .inNamespace(SHOP)
                    .withLabel("patchops.dev/track", "canary")
                    .list()
                    .getItems()),
        list -> list.size() == 1);
    assertThat(demo.rollout(ticket, rev).path("phase").asText()).isEqualTo("PROGRESSING");

    assertThat(stack.kill("rollout-service")).as("SIGKILL").isEqualTo(137);
    stack.restart("rollout-service");

    JsonNode rollout = demo.awaitRollout(ticket, rev, Demo.ENDED);
    assertThat(rollout.path("phase").asText()).isIn("WATCHING", "SUCCEEDED");
    assertThat(liveImage("catalog")).isEqualTo(tested.path("image").asText());
    assertNoCanary("catalog");
    demo.awaitTicketState(ticket, "RESOLVED");
    assertThat(
            demo.get(
                stack.url("rollout-service") + "/api/v1/rollouts?ticketId=" + ticket, "sam", "sre"))
        .as("one rollout, not a second one after the restart")
        .hasSize(1);
    exactlyOne(ticket, EventType.ROLLOUT_PROMOTED);
    exactlyOne(ticket, EventType.CHECKPOINT_RECORDED);
    exactlyOne(ticket, EventType.WATCH_WINDOW_PASSED);
    // What the killed process may have sent before it died is not sent again after the restart.
    everyEventIsACloudEventAndNoneIsDoubled();
  }

  @Test
  @Order(3)
  void aFaultyNodeIsQuarantinedBurnedInApprovedBySomeoneElseAndReleased() throws Exception {
    String node = SimulatedKubelet.NODES.get(0);
    String tickets = stack.url("ticket-service") + "/api/v1";
    String equipment = "srv-e2e-" + node;
    ObjectNode register = ContractJson.mapper().createObjectNode();
    register
        .put("id", equipment)
        .put("kind", "NODE")
        .put("location", "rack 1, slot 7")
        .put("nodeName", node)
        .put("assignee", "hank");
    demo.post(tickets + "/equipment", "root", "admin", register, 201);

    // Every Pod placed on the node from now on: the burn-in Job's Pod must be among them.
    Set<String> podsOnNode = ConcurrentHashMap.newKeySet();
    try (SharedIndexInformer<Pod> pods =
        kube.pods()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    onUpdate(null, pod);
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    if (node.equals(pod.getSpec().getNodeName())
                        && pod.getMetadata().getOwnerReferences().stream()
                            .anyMatch(o -> "Job".equals(o.getKind()))) {
                      podsOnNode.add(pod.getMetadata().getNamespace());
                    }
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknown) {}
                },
                0)) {
      String ticket = fireNodeAlert(node).get(0).asText();
      JsonNode view = demo.ticketView(ticket);
      assertThat(view.path("kind").asText()).isEqualTo("HARDWARE");
      assertThat(view.path("assignee").asText()).isEqualTo("hank");
      assertThat(view.path("alerts").get(0).path("state").asText()).isEqualTo("FIRING");
      assertThat(
              demo.get(tickets + "/equipment/" + equipment, "ada", "auditor")
                  .path("lockedByTicket")
                  .asText())
          .isEqualTo(ticket);

      // Quarantined on the real API server: cordoned and tainted for this ticket.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                Node n = kube.nodes().withName(node).get();
                assertThat(n.getSpec().getUnschedulable()).isTrue();
                assertThat(n.getSpec().getTaints())
                    .anySatisfy(t -> assertThat(t.getKey()).isEqualTo(Quarantine.TAINT_KEY));
              });
      demo.await(
          "the quarantine on the ticket",
          () -> demo.ticketView(ticket),
          t -> !t.path("nodeQuarantinedAt").isNull() && t.has("nodeQuarantinedAt"));

      ObjectNode diagnostic = ContractJson.mapper().createObjectNode();
      diagnostic
          .put("kind", "LOG_QUERY")
          .put("uri", "https://logs.example/q?host=" + node + "&source=edac")
          .put("capturedAt", java.time.Instant.now().minusSeconds(60).toString())
          .put("note", "EDAC: 40 correctable errors a minute on DIMM B2");
      String evidence =
          demo.post(
                  tickets + "/tickets/" + ticket + "/diagnostics",
                  "hank",
                  "engineer",
                  diagnostic,
                  201)
              .path("id")
              .asText();
      ObjectNode rootCause = ContractJson.mapper().createObjectNode();
      rootCause.put("method", "FIVE_WHYS");
      rootCause.putArray("whys").add("pods on " + node + " crash").add("memory errors on DIMM B2");
      rootCause.put("rootCause", "failing DIMM B2");
      rootCause.putArray("affectedComponents").add(node);
      rootCause.putArray("evidenceRefs").add(evidence);
      demo.put(tickets + "/tickets/" + ticket + "/root-cause", "hank", "engineer", rootCause, 200);

      ObjectNode fix = ContractJson.mapper().createObjectNode();
      fix.put("whatWasDone", "replaced DIMM B2").put("why", "EDAC errors on B2");
      ObjectNode suite = fix.putArray("burnInSuites").addObject();
      suite
          .put("name", "memtest")
          .put("image", "registry.example/burnin/memtest@sha256:" + "b".repeat(64))
          .put("timeoutSeconds", 600)
          .putArray("command")
          .add("memtester")
          .add("1G")
          .add("1");
      demo.post(tickets + "/tickets/" + ticket + "/hardware-fixes", "hank", "engineer", fix, 201);

      // A burn-in takes a while on a busy machine: wait on the fix, then read the event.
      JsonNode tested =
          demo.await(
              "the burn-in of fix 1",
              () ->
                  demo.get(tickets + "/tickets/" + ticket + "/hardware-fixes/1", "ada", "auditor"),
              f -> f.hasNonNull("burnInOutcome"));
      assertThat(tested.path("burnInOutcome").asText()).isEqualTo("PASSED");
      JsonNode burnIn = data(awaitEvents(ticket, EventType.TEST_RUN_COMPLETED, 1).get(0));
      assertThat(burnIn.path("burnInNode").asText()).isEqualTo(node);
      assertThat(burnIn.path("outcome").asText()).isEqualTo("PASSED");
      assertThat(podsOnNode).as("a burn-in Job's Pod ran on " + node).isNotEmpty();
      demo.awaitTicketState(ticket, "AWAITING_APPROVAL");

      // The assignee may not approve their own fix, whatever their roles.
      HttpResponse<String> self =
          demo.send(
              HttpRequest.newBuilder(
                      URI.create(tickets + "/tickets/" + ticket + "/hardware-fixes/1/approve"))
                  .POST(HttpRequest.BodyPublishers.noBody()),
              demo.token("hank", "approver", "engineer"));
      assertThat(self.statusCode()).isEqualTo(403);
      assertThat(self.body()).contains("gate-separation-of-duties");
      assertThat(data(awaitEvents(ticket, EventType.GATE_REFUSED, 1).get(0)).path("actor").asText())
          .isEqualTo("hank");

      demo.post(
          tickets + "/tickets/" + ticket + "/hardware-fixes/1/approve",
          "anna",
          "approver",
          ContractJson.mapper().createObjectNode(),
          200);
      assertThat(
              data(awaitEvents(ticket, EventType.HARDWARE_FIX_APPROVED, 1).get(0))
                  .path("approvedBy")
                  .asText())
          .isEqualTo("anna");
      demo.awaitTicketState(ticket, "RESOLVED");
      JsonNode released =
          data(awaitEvents(ticket, EventType.HARDWARE_QUARANTINE_RELEASED, 1).get(0));
      assertThat(released.path("burnInPassed").asBoolean()).isTrue();
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                Node n = kube.nodes().withName(node).get();
                assertThat(n.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
                assertThat(
                        n.getSpec().getTaints() == null
                            ? List.<Taint>of()
                            : n.getSpec().getTaints())
                    .noneSatisfy(t -> assertThat(t.getKey()).isEqualTo(Quarantine.TAINT_KEY));
              });
      assertThat(
              demo.get(tickets + "/equipment/" + equipment, "ada", "auditor")
                  .path("lockedByTicket")
                  .isNull())
          .as("lock released")
          .isTrue();
      JsonNode record =
          demo.await(
              "the hardware story in the change record",
              () -> demo.changeRecord(ticket),
              r -> r.path("hardware").toString().contains("QUARANTINE_RELEASED"));
      assertThat(record.path("hardware").toString())
          .contains("QUARANTINE_REQUESTED", "QUARANTINED", "FIX_APPROVED");
    }
  }

  /** A node alert, as Alertmanager sends it: no workload, only the node's name. */
  static JsonNode fireNodeAlert(String node) throws Exception {
    ObjectNode alert = ContractJson.mapper().createObjectNode();
    alert.put("status", "firing");
    alert
        .putObject("labels")
        .put("alertname", "NodeMemoryErrors")
        .put("severity", "warning")
        .put("node", node);
    alert.putObject("annotations").put("summary", node + " reports correctable memory errors");
    alert.put("startsAt", java.time.Instant.now().minusSeconds(120).toString());
    alert.put("endsAt", "0001-01-01T00:00:00Z");
    alert.put("fingerprint", "node-" + node);
    ObjectNode payload = ContractJson.mapper().createObjectNode();
    payload.put("version", "4").put("groupKey", "{}:{alertname=\"NodeMemoryErrors\"}");
    payload.put("status", "firing").put("receiver", "patchops");
    payload.putArray("alerts").add(alert);
    HttpResponse<String> response =
        demo.send(
            HttpRequest.newBuilder(URI.create(stack.url("ticket-service") + "/hooks/alertmanager"))
                .header("Authorization", "Bearer " + keys.hookToken)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(payload.toString())),
            null);
    JsonNode body = Demo.expect(response, 202, "the alert hook");
    assertThat(body.path("tickets")).as("the node alert opened a ticket: " + body).hasSize(1);
    return body.path("tickets");
  }

  static void assertNoCanary(String workload) {
    assertThat(
            kube.apps()
                .deployments()
                .inNamespace(SHOP)
                .withLabel("patchops.dev/track", "canary")
                .list()
                .getItems())
        .as("canary Deployments of " + workload)
        .isEmpty();
    assertThat(
            kube.services()
                .inNamespace(SHOP)
                .withLabel("patchops.dev/track", "canary")
                .list()
                .getItems())
        .as("canary Services of " + workload)
        .isEmpty();
    assertThat(
            kube.pods()
                .inNamespace(SHOP)
                .withLabel("patchops.dev/track", "canary")
                .list()
                .getItems())
        .as("canary Pods of " + workload)
        .isEmpty();
  }

  /**
   * One crash per service, each at a transition the service owns, in one flow: the audit-service
   * inside the transaction that appends an ingested batch, the test-orchestrator after the suites
   * ran and before their result is recorded, the ticket-service inside the approval's transaction.
   * Each is halted as by SIGKILL (a Byteman rule, nothing in the services) and started again; the
   * flow goes on to a resolved ticket with every event once and an audit chain that verifies.
   */
  @Test
  @Order(4)
  void eachServiceHaltedAtATransitionItOwnsResumesAfterRestart() throws Exception {
    CrashPoint ingest =
        CrashPoint.atExit(
            "audit-append-uncommitted", "dev.patchops.audit.trail.AuditTrail", "write");
    arm("audit-service", ingest);
    String ticket = demo.alert("payments");
    awaitCrash("audit-service", ingest);
    disarmAndRestart("audit-service");

    demo.diagnose(ticket, "payments");
    CrashPoint suiteRan =
        CrashPoint.atEntry(
            "suite-result-unrecorded", "dev.patchops.orchestrator.run.RunExecutor", "complete");
    arm("test-orchestrator", suiteRan);
    int rev = demo.propose(ticket, "payments", 1);
    awaitCrash("test-orchestrator", suiteRan);
    disarmAndRestart("test-orchestrator");
    JsonNode tested = awaitPassed(demo, ticket, rev);

    CrashPoint approval =
        CrashPoint.atExit(
            "approval-uncommitted", "dev.patchops.ticket.patch.PatchService", "approve");
    arm("ticket-service", approval);
    // The approver's request dies with the service: no answer, so the approver asks again.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> demo.approve(ticket, rev))
        .isInstanceOf(java.io.IOException.class);
    awaitCrash("ticket-service", approval);
    disarmAndRestart("ticket-service");
    demo.approve(ticket, rev);

    JsonNode rollout = demo.awaitRollout(ticket, rev, Demo.ENDED);
    assertThat(rollout.path("phase").asText()).isIn("WATCHING", "SUCCEEDED");
    assertThat(liveImage("payments")).isEqualTo(tested.path("image").asText());
    demo.awaitTicketState(ticket, "RESOLVED");
    exactlyOne(ticket, EventType.TICKET_OPENED);
    exactlyOne(ticket, EventType.TEST_RUN_COMPLETED);
    exactlyOne(ticket, EventType.PATCH_APPROVED);
    exactlyOne(ticket, EventType.WATCH_WINDOW_PASSED);
    assertThat(demo.awaitChainVerified().path("valid").asBoolean()).isTrue();
    everyEventIsACloudEventAndNoneIsDoubled();
  }

  /** The consumer groups of the four services: each is named after its service. */
  static final List<String> GROUPS = EndState.SERVICES;

  /**
   * Issue 18, replays. After every story above (an alert's ticket with a reverted and a promoted
   * rollout, a rollout-service killed mid-canary, a quarantined node, a crash in each service), a
   * test producer reads every record of every PatchOps topic from its beginning and produces it
   * twice more, same partition, key, value and headers, so that each service's consumer group is
   * handed every event three times. Once the groups have consumed all of it, the end state is the
   * one before, field for field (tickets, rollouts, test runs, the audit chain and the change
   * records, the cluster, what each service processed and wrote); the services published nothing
   * because of it and dead-lettered nothing: a replay is neither news nor poison.
   */
  @Test
  @Order(100)
  void everyRecordDeliveredThreeTimesLeavesTheEndStateAsItWas() throws Exception {
    TopicReplay topics = new TopicReplay(stack.kafkaClientConfig(KafkaBroker.ADMIN));
    EndState state = new EndState(stack, demo, kube);
    // Nothing moves any more: every rollout ended, every test namespace and canary gone, every
    // event consumed and every consequence published.
    demo.await(
        "every rollout to end",
        () -> demo.get(stack.url("rollout-service") + "/api/v1/rollouts", "sam", "sre"),
        list -> {
          for (JsonNode r : list) {
            if (!Set.of("SUCCEEDED", "REVERTED", "FAILED", "REFUSED")
                .contains(r.path("phase").asText())) {
              return false;
            }
          }
          return true;
        });
    await()
        .alias("no canary and no test namespace left")
        .atMost(Duration.ofMinutes(2))
        .until(state::orphans, List::isEmpty);
    settle(topics);
    // An anchor for the audit chain now, so that the scheduled checkpoint has no new head to sign
    // while we compare (it signs only a head that moved).
    demo.post(
        stack.url("audit-service") + "/api/v1/audit/checkpoints",
        "ada",
        "auditor",
        ContractJson.mapper().createObjectNode(),
        201);
    List<ConsumerRecord<String, byte[]>> originals = settle(topics);
    assertThat(originals.stream().map(r -> header(r, CloudEventHeaders.TYPE)))
        .as("the topics hold whole flows to replay")
        .contains(
            EventType.ALERT_RECEIVED.type(),
            EventType.TICKET_OPENED.type(),
            EventType.ROOT_CAUSE_RECORDED.type(),
            EventType.PATCH_PROPOSED.type(),
            EventType.TEST_RUN_COMPLETED.type(),
            EventType.PATCH_APPROVED.type(),
            EventType.ROLLOUT_PROMOTED.type(),
            EventType.REVERT_COMPLETED.type(),
            EventType.WATCH_WINDOW_PASSED.type(),
            EventType.HARDWARE_QUARANTINE_RELEASED.type());
    Set<String> runs = new java.util.TreeSet<>();
    originals.stream()
        .filter(r -> Topics.TESTS.equals(r.topic()))
        .map(r -> data(r).path("runId"))
        .filter(JsonNode::isTextual)
        .forEach(id -> runs.add(id.asText()));
    JsonNode before = state.capture(runs);
    int notified = notifications.size();
    // What is compared is not empty: the stories above left this much behind.
    assertThat(before.path("tickets").path("total").asLong())
        .as("tickets")
        .isGreaterThanOrEqualTo(4);
    assertThat(before.path("rollouts").path("list").size())
        .as("rollouts")
        .isGreaterThanOrEqualTo(4);
    assertThat(runs).as("test runs").hasSizeGreaterThanOrEqualTo(5);
    assertThat(before.path("audit").path("verify").path("recordsChecked").asLong())
        .as("audit records")
        .isEqualTo(before.path("databases").path("audit-service").path("auditRecords").asLong())
        .isPositive();

    Map<TopicPartition, Long> replayedUpTo = topics.replay(originals, 2);
    topics.awaitConsumed(GROUPS, replayedUpTo, Duration.ofMinutes(5));
    for (String service : EndState.SERVICES) {
      outboxSent(service);
    }
    JsonNode after = state.capture(runs);
    List<ConsumerRecord<String, byte[]>> all = topics.readAll();

    // What the services published: each event of before, three times (itself and two copies),
    // and nothing else.
    Map<String, Long> eventsBefore = countBy(originals, PatchFlowIT::cloudEventIdentity);
    Map<String, Long> eventsAfter = countBy(all, PatchFlowIT::cloudEventIdentity);
    assertThat(eventsAfter.keySet().stream().filter(e -> !eventsBefore.containsKey(e)).toList())
        .as("events published because of the replay (source, id, type)")
        .isEmpty();
    assertThat(eventsAfter).as("each event three times").isEqualTo(thrice(eventsBefore));
    assertThat(countBy(all, r -> header(r, CloudEventHeaders.TYPE)))
        .as("events per type")
        .isEqualTo(thrice(countBy(originals, r -> header(r, CloudEventHeaders.TYPE))));
    assertThat(countBy(all, PatchFlowIT::recordContent))
        .as("each record's partition, key, value and headers three times")
        .isEqualTo(thrice(countBy(originals, PatchFlowIT::recordContent)));
    assertThat(all.stream().filter(r -> Topics.DEAD_LETTER.equals(r.topic())).count())
        .as("dead-lettered: only copies of what was there before")
        .isEqualTo(
            3 * originals.stream().filter(r -> Topics.DEAD_LETTER.equals(r.topic())).count());

    assertThat(EndState.differences(before, after, 40))
        .as("the end state after every record was delivered three times")
        .isEmpty();
    assertThat(state.orphans()).as("canaries and test namespaces").isEmpty();
    assertThat(notifications).as("notifications sent").hasSize(notified);
    System.out.printf(
        "replay: %d records (%s) delivered three times; %d tickets, %d rollouts, %d test runs and"
            + " %d audit records as they were%n",
        originals.size(),
        countBy(originals, ConsumerRecord::topic),
        before.path("tickets").path("total").asLong(),
        before.path("rollouts").path("list").size(),
        runs.size(),
        before.path("databases").path("audit-service").path("auditRecords").asLong());
  }

  /**
   * Drains every outbox and waits until every group has consumed every record, until a round finds
   * the topics as the round before left them: what was consumed caused nothing more.
   *
   * @return every record of every topic
   */
  static List<ConsumerRecord<String, byte[]>> settle(TopicReplay topics) throws Exception {
    Map<TopicPartition, Long> last = null;
    for (int round = 0; round < 20; round++) {
      for (String service : EndState.SERVICES) {
        outboxSent(service);
      }
      List<ConsumerRecord<String, byte[]>> records = topics.readAll();
      Map<TopicPartition, Long> ends = new java.util.HashMap<>();
      records.forEach(
          r -> ends.merge(new TopicPartition(r.topic(), r.partition()), r.offset() + 1, Math::max));
      topics.awaitConsumed(GROUPS, ends, Duration.ofMinutes(3));
      if (ends.equals(last)) {
        return records;
      }
      last = ends;
    }
    throw new AssertionError("the services did not come to rest: the topics kept growing");
  }

  static <K> Map<K, Long> countBy(
      List<ConsumerRecord<String, byte[]>> records,
      java.util.function.Function<ConsumerRecord<String, byte[]>, K> key) {
    return records.stream()
        .collect(
            java.util.stream.Collectors.groupingBy(
                key, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
  }

  static <K> Map<K, Long> thrice(Map<K, Long> counts) {
    Map<K, Long> times = new java.util.TreeMap<>();
    counts.forEach((k, v) -> times.put(k, 3 * v));
    return times;
  }

  static String cloudEventIdentity(ConsumerRecord<String, byte[]> r) {
    return r.topic()
        + " "
        + header(r, CloudEventHeaders.SOURCE)
        + " "
        + header(r, CloudEventHeaders.ID)
        + " "
        + header(r, CloudEventHeaders.TYPE);
  }

  /** Everything a copy must repeat, the value by its digest. */
  static String recordContent(ConsumerRecord<String, byte[]> r) {
    StringBuilder s = new StringBuilder();
    s.append(r.topic()).append('/').append(r.partition()).append(' ').append(r.key()).append(' ');
    try {
      s.append(
          java.util.HexFormat.of()
              .formatHex(
                  java.security.MessageDigest.getInstance("SHA-256")
                      .digest(r.value() == null ? new byte[0] : r.value())));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (Header h : r.headers()) {
      s.append(' ')
          .append(h.key())
          .append('=')
          .append(h.value() == null ? "null" : new String(h.value(), StandardCharsets.UTF_8));
    }
    return s.toString();
  }

  // The rest of the crash matrix (docs/reliability.md): tagged, so the README's ./mvnw verify
  // keeps one crash per service (above) and ./mvnw verify -Pcrash-matrix runs these too.

  static final String TICKETS = "dev.patchops.ticket.tickets.TicketService";
  static final String MIRROR = "dev.patchops.orchestrator.mirror.k8s.NamespaceMirror";
  static final String QUARANTINES = "dev.patchops.rollout.quarantine.QuarantineService";

  /**
   * Halted inside a group commit: the batch's rows and events written, the transaction not
   * committed. Every caller of the batch goes without an answer and asks again; each ticket is then
   * opened once, with one {@code ticket.opened}.
   */
  @Test
  @Order(5)
  @Tag("crash-matrix")
  void ticketServiceHaltedInsideAGroupCommitOpensEachTicketOnce() throws Exception {
    CrashPoint point = CrashPoint.atExit("group-commit-uncommitted", TICKETS, "openAll");
    arm("ticket-service", point);
    String run = Long.toString(System.nanoTime(), 36);
    // Workload name -> the ticket it answered with, or "" when the caller got no answer.
    Map<String, String> answers = new ConcurrentHashMap<>();
    java.util.concurrent.ExecutorService callers =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      // A writer takes what is queued when it is free: concurrent callers make a batch of two or
      // more, which is what reaches openAll (a lone ticket commits alone). Rounds until one does.
      for (int round = 0; round < 30 && stack.running("ticket-service"); round++) {
        List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          String name = "gc-" + run + "-" + round + "-" + i;
          sent.add(callers.submit(() -> answers.put(name, openTicket(name))));
        }
        for (var f : sent) {
          f.get();
        }
      }
    } finally {
      callers.shutdownNow();
    }
    awaitCrash("ticket-service", point);
    disarmAndRestart("ticket-service");
    List<String> unanswered =
        answers.entrySet().stream()
            .filter(e -> e.getValue().isEmpty())
            .map(e -> e.getKey())
            .toList();
    assertThat(unanswered).as("the halted batch's callers had no answer").hasSizeGreaterThan(1);
    // A caller without an answer cannot know whether its ticket was committed (an earlier batch's
    // answer may still have been on its way): as a careful client does, it looks before it asks
    // again. The halted batch itself must have left nothing: two or more are not there.
    List<String> absent = new ArrayList<>();
    for (String name : unanswered) {
      if (ticketsOf(name).isEmpty()) {
        absent.add(name);
        assertThat(openTicket(name)).as("asked again: " + name).isNotEmpty();
      }
    }
    assertThat(absent).as("the halted batch committed nothing").hasSizeGreaterThan(1);
    List<String> opened = new ArrayList<>();
    for (String name : answers.keySet()) {
      JsonNode found = ticketsOf(name);
      assertThat(found).as("tickets of " + name).hasSize(1);
      opened.add(found.get(0).path("id").asText());
    }
    eachOnce(opened, EventType.TICKET_OPENED);
    assertThat(demo.awaitChainVerified().path("valid").asBoolean()).isTrue();
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  static JsonNode ticketsOf(String workload) throws java.io.IOException {
    return demo.get(
            stack.url("ticket-service")
                + "/api/v1/tickets?namespace="
                + SHOP
                + "&workload="
                + workload
                + "&size=200",
            "sam",
            "sre")
        .path("items");
  }

  /** A software ticket over REST: its id, or "" when the service gave no answer. */
  static String openTicket(String workload) throws java.io.IOException {
    ObjectNode body = ContractJson.mapper().createObjectNode();
    body.put("kind", "SOFTWARE").put("title", "crash matrix " + workload).put("severity", "SEV3");
    body.putObject("workload")
        .put("namespace", SHOP)
        .put("kind", "Deployment")
        .put("name", workload);
    try {
      HttpResponse<String> response =
          demo.send(
              HttpRequest.newBuilder(URI.create(stack.url("ticket-service") + "/api/v1/tickets"))
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString())),
              demo.token("rita", "reporter"));
      return Demo.expect(response, 201, "open " + workload).path("id").asText();
    } catch (java.io.IOException e) {
      // No answer at all (a refusal is a DemoException, and fails the test).
      return "";
    }
  }

  /** Every ticket of {@code tickets} has exactly one event of {@code type}, all sent and read. */
  static void eachOnce(List<String> tickets, EventType type) throws Exception {
    for (String ticket : tickets) {
      awaitEvents(ticket, type, 1);
    }
    outboxSent(type.producer().serviceName());
    readToTheEnd();
    for (String ticket : tickets) {
      assertThat(eventsOf(ticket, type)).as(type.type() + " for " + ticket).hasSize(1);
    }
  }

  /**
   * Halted while ingesting an Alertmanager batch: its alerts and tickets written, not committed.
   * Alertmanager, without an answer, sends the batch again: each alert is received once and each
   * workload gets one ticket.
   */
  @Test
  @Order(6)
  @Tag("crash-matrix")
  void ticketServiceHaltedWhileIngestingAnAlertBatchTakesTheRetriedBatchOnce() throws Exception {
    CrashPoint point =
        CrashPoint.atExit(
            "alert-batch-uncommitted", "dev.patchops.ticket.hooks.AlertIngest", "ingest");
    arm("ticket-service", point);
    String run = Long.toString(System.nanoTime(), 36);
    ObjectNode payload = ContractJson.mapper().createObjectNode();
    payload.put("version", "4").put("groupKey", "{}:{alertname=\"CrashMatrix\"}");
    payload.put("status", "firing").put("receiver", "patchops");
    List<String> fingerprints = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ObjectNode alert = payload.withArray("alerts").addObject();
      alert.put("status", "firing");
      alert
          .putObject("labels")
          .put("alertname", "CrashMatrix")
          .put("severity", "critical")
          .put("namespace", SHOP)
          .put("deployment", "ab-" + run + "-" + i);
      alert.put("startsAt", java.time.Instant.now().minusSeconds(60).toString());
      alert.put("endsAt", "0001-01-01T00:00:00Z");
      alert.put("fingerprint", "ab-" + run + "-" + i);
      fingerprints.add("ab-" + run + "-" + i);
    }
    HttpRequest.Builder hook =
        HttpRequest.newBuilder(URI.create(stack.url("ticket-service") + "/hooks/alertmanager"))
            .header("Authorization", "Bearer " + keys.hookToken)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(payload.toString()));
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> demo.send(hook, null))
        .isInstanceOf(java.io.IOException.class);
    awaitCrash("ticket-service", point);
    disarmAndRestart("ticket-service");

    JsonNode body = Demo.expect(demo.send(hook, null), 202, "the retried batch");
    List<String> tickets = new ArrayList<>();
    body.path("tickets").forEach(t -> tickets.add(t.asText()));
    assertThat(tickets).as("one ticket per workload: " + body).hasSize(3).doesNotHaveDuplicates();
    eachOnce(tickets, EventType.TICKET_OPENED);
    for (String fingerprint : fingerprints) {
      assertThat(
              events.stream()
                  .filter(
                      r ->
                          EventType.ALERT_RECEIVED.type().equals(header(r, CloudEventHeaders.TYPE)))
                  .filter(r -> fingerprint.equals(data(r).path("fingerprint").asText())))
          .as("alert.received for " + fingerprint)
          .hasSize(1);
    }
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  /**
   * Halted after an ingested batch committed and before it was acknowledged: the batch is delivered
   * again after the restart, recognised as stored (the duplicates counter moves), and every event
   * published so far is in the trail once; the chain verifies.
   */
  @Test
  @Order(7)
  @Tag("crash-matrix")
  void auditServiceHaltedBetweenABatchsCommitAndItsAcknowledgementStoresItOnce() throws Exception {
    CrashPoint point =
        CrashPoint.atExit(
            "audit-batch-unacknowledged", "dev.patchops.audit.messaging.AuditIngestor", "store");
    arm("audit-service", point);
    String ticket = openTicket("ai-" + Long.toString(System.nanoTime(), 36));
    assertThat(ticket).isNotEmpty();
    awaitCrash("audit-service", point);
    disarmAndRestart("audit-service");
    await()
        .alias("the redelivered batch counted as duplicates")
        .atMost(Duration.ofSeconds(90))
        .until(() -> auditDuplicates() > 0);
    outboxSent("ticket-service");
    readToTheEnd();
    Set<String> published = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : events) {
      // The trail holds every topic but the audit-service's own checkpoints.
      if (!Topics.AUDIT.equals(r.topic())) {
        published.add(header(r, CloudEventHeaders.SOURCE) + "|" + header(r, CloudEventHeaders.ID));
      }
    }
    await()
        .alias("every published event in the trail")
        .atMost(Duration.ofSeconds(90))
        .until(() -> trailIdentities().keySet().containsAll(published));
    assertThat(trailIdentities().values()).as("each event stored once").allMatch(n -> n == 1);
    assertThat(demo.awaitChainVerified().path("valid").asBoolean()).isTrue();
  }

  /** (source|event id) -> rows in the audit trail. */
  static Map<String, Integer> trailIdentities() throws Exception {
    Map<String, Integer> found = new java.util.HashMap<>();
    try (var c = stack.databaseConnection("audit-service");
        var st = c.prepareStatement("select source, event_id from audit_record");
        var rs = st.executeQuery()) {
      while (rs.next()) {
        found.merge(rs.getString(1) + "|" + rs.getString(2), 1, Integer::sum);
      }
    }
    return found;
  }

  static double auditDuplicates() throws Exception {
    HttpResponse<String> metrics =
        demo.send(
            HttpRequest.newBuilder(URI.create(stack.managementUrl("audit-service") + "/q/metrics"))
                .GET(),
            null);
    return metrics
        .body()
        .lines()
        .filter(l -> l.startsWith("patchops_audit_records_duplicates_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  /**
   * Halted inside the transaction that stores a signed checkpoint and its event: nothing of it
   * survives, the next signing makes one checkpoint, published once, linked to the last one.
   */
  @Test
  @Order(8)
  @Tag("crash-matrix")
  void auditServiceHaltedWhileSigningACheckpointSignsItOnceAfterRestart() throws Exception {
    CrashPoint point =
        CrashPoint.atExit(
            "checkpoint-unsigned", "dev.patchops.audit.checkpoint.CheckpointService", "checkpoint");
    int before = checkpointRows().size();
    arm("audit-service", point);
    // A new event in the trail, so the head has moved past any checkpoint signed before.
    String ticket = openTicket("cp-" + Long.toString(System.nanoTime(), 36));
    assertThat(ticket).isNotEmpty();
    demo.await(
        "the new ticket in the trail",
        () -> demo.auditEvents(ticket, EventType.TICKET_OPENED),
        found -> found.size() == 1);
    String checkpoints = stack.url("audit-service") + "/api/v1/audit/checkpoints";
    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () -> {
              try {
                demo.post(
                    checkpoints, "ada", "auditor", ContractJson.mapper().createObjectNode(), 201);
                return false;
              } catch (java.io.IOException e) {
                // No answer: the service halted at the point (awaitCrash proves it was there).
                return true;
              }
            });
    awaitCrash("audit-service", point);
    assertThat(checkpointRows()).as("nothing of the halted signing stored").hasSize(before);
    disarmAndRestart("audit-service");
    JsonNode signed =
        demo.post(checkpoints, "ada", "auditor", ContractJson.mapper().createObjectNode(), 201);
    long seq = signed.path("seq").asLong();
    outboxSent("audit-service");
    readToTheEnd();
    Map<Long, Long> published = new java.util.TreeMap<>();
    events.stream()
        .filter(
            r -> EventType.AUDIT_CHECKPOINT_SIGNED.type().equals(header(r, CloudEventHeaders.TYPE)))
        .forEach(r -> published.merge(data(r).path("seq").asLong(), 1L, Long::sum));
    assertThat(published).as("one checkpoint event per signed head").containsEntry(seq, 1L);
    assertThat(published.values()).allMatch(n -> n == 1);
    List<Long> rows = checkpointRows();
    assertThat(rows).as("checkpoints stored").hasSize(before + 1).doesNotHaveDuplicates();
    assertThat(published.keySet()).containsExactlyInAnyOrderElementsOf(rows);
    JsonNode latest = demo.get(checkpoints + "/latest", "ada", "auditor");
    assertThat(latest.path("seq").asLong()).isEqualTo(seq);
    assertThat(demo.awaitChainVerified().path("valid").asBoolean()).isTrue();
  }

  static List<Long> checkpointRows() throws Exception {
    List<Long> seqs = new ArrayList<>();
    try (var c = stack.databaseConnection("audit-service");
        var st = c.prepareStatement("select seq from audit_checkpoint order by id");
        var rs = st.executeQuery()) {
      while (rs.next()) {
        seqs.add(rs.getLong(1));
      }
    }
    return seqs;
  }

  /**
   * Halted while a suite's Job runs in the mirror (the run's poll sees the Job active): the suite
   * itself goes on in the cluster. After the restart the run is taken up within its lease, follows
   * the Job that exists instead of starting the suite again, and records its result once.
   */
  @Test
  @Order(20)
  @Tag("crash-matrix")
  void orchestratorHaltedWhileASuiteRunsFollowsTheSameJobAfterRestart() throws Exception {
    String workload = freshApp("inventory");
    CrashPoint running =
        CrashPoint.atEntry(
                "suite-running", "dev.patchops.orchestrator.run.k8s.SuiteRunner", "finished")
            .when(
                "$1 != null && $1.getStatus() != null && $1.getStatus().getActive() != null"
                    + " && $1.getStatus().getActive().intValue() > 0");
    Set<String> jobsMade = ConcurrentHashMap.newKeySet();
    demo.slowSuites(Duration.ofSeconds(20));
    try (SharedIndexInformer<Job> jobs =
        kube.batch()
            .v1()
            .jobs()
            .inAnyNamespace()
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Job job) {
                    jobsMade.add(
                        job.getMetadata().getNamespace() + "/" + job.getMetadata().getUid());
                  }

                  @Override
                  public void onUpdate(Job before, Job after) {}

                  @Override
                  public void onDelete(Job job, boolean unknown) {}
                },
                0)) {
      arm("test-orchestrator", running);
      String ticket = demo.alert(workload);
      demo.diagnose(ticket, workload);
      int rev = demo.propose(ticket, workload, 1);
      awaitCrash("test-orchestrator", running);
      List<Job> live =
          kube.batch()
              .v1()
              .jobs()
              .inAnyNamespace()
              .withLabel("patchops.dev/ticket", ticket)
              .list()
              .getItems();
      assertThat(live).as("the suite's Job, left running by the halted orchestrator").hasSize(1);
      String mirror = live.get(0).getMetadata().getNamespace();
      String job = mirror + "/" + live.get(0).getMetadata().getUid();
      disarmAndRestart("test-orchestrator");
      JsonNode tested = awaitPassed(demo, ticket, rev);
      assertThat(tested.path("testNamespace").asText()).isEqualTo(mirror);
      JsonNode suites =
          data(awaitEvents(ticket, EventType.TEST_RUN_COMPLETED, 1).get(0))
              .path("analytics")
              .path("suites");
      assertThat(suites).as("one suite result").hasSize(1);
      assertThat(suites.get(0).path("outcome").asText()).isEqualTo("PASSED");
      assertThat(jobsMade.stream().filter(j -> j.startsWith(mirror + "/")).toList())
          .as("the suite ran as one Job, followed after the restart, never started again")
          .containsExactly(job);
      oneTestRunRecordedAndCleanedUp(ticket);
    } finally {
      demo.clearFaults();
      if (!stack.running("test-orchestrator")) {
        disarmAndRestart("test-orchestrator");
      }
    }
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  /**
   * The broker stopped for 60 s while a canary runs: every service loses Kafka at once. The
   * rollout-service finishes the cluster work meanwhile, each outbox keeps what it could not send,
   * and once the broker is back the flow completes with every event once and the audit chain whole.
   */
  @Test
  @Order(21)
  @Tag("crash-matrix")
  void kafkaDownForSixtySecondsDuringACanaryTheFlowCompletesWithEveryEventOnce() throws Exception {
    String workload = freshApp("shipping");
    String ticket = demo.alert(workload);
    demo.diagnose(ticket, workload);
    int rev = demo.propose(ticket, workload, 1);
    JsonNode tested = awaitPassed(demo, ticket, rev);
    demo.approve(ticket, rev);
    demo.awaitRollout(ticket, rev, Set.of("PROGRESSING"));
    stack.stopKafka();
    try {
      // The outage itself, not a wait for something: the broker stays away for the 60 s.
      Thread.sleep(Duration.ofSeconds(60).toMillis());
      assertThat(demo.rollout(ticket, rev).path("phase").asText())
          .as("the canary goes on without the broker")
          .isIn("PROMOTING", "WATCHING", "SUCCEEDED");
    } finally {
      stack.startKafka();
    }
    everyStepOfAPromotedFlowOnce(ticket, rev, workload, tested);
  }

  /**
   * PostgreSQL restarted under the four services twice in one flow: while the suite runs, and while
   * the canary runs. Their pools lose every connection; no service is restarted, and the flow
   * completes with every event once and the audit chain whole.
   */
  @Test
  @Order(22)
  @Tag("crash-matrix")
  void postgresRestartedWhileTheSuiteAndTheCanaryRunTheFlowCompletesWithEveryEventOnce()
      throws Exception {
    String workload = freshApp("search");
    String ticket = demo.alert(workload);
    demo.diagnose(ticket, workload);
    demo.slowSuites(Duration.ofSeconds(15));
    JsonNode tested;
    int rev;
    try {
      rev = demo.propose(ticket, workload, 1);
      // The mirror's workloads are ready and the suite starts: its Job runs for 15 s.
      await()
          .alias("the mirror of " + ticket + " ready")
          .atMost(Duration.ofMinutes(3))
          .until(() -> !eventsOf(ticket, EventType.TEST_ENVIRONMENT_READY).isEmpty());
      stack.restartPostgres();
      tested = awaitPassed(demo, ticket, rev);
    } finally {
      demo.clearFaults();
    }
    approveOnceTheServiceAnswers(ticket, rev);
    demo.awaitRollout(ticket, rev, Set.of("PROGRESSING"));
    stack.restartPostgres();
    everyStepOfAPromotedFlowOnce(ticket, rev, workload, tested);
  }

  /**
   * The approval, asked again while the answer is a 5xx: right after a database restart the
   * ticket-service's pool may still hand out a connection that died with the server.
   */
  static void approveOnceTheServiceAnswers(String ticket, int rev) throws Exception {
    await()
        .alias("the ticket-service answers after the database restart")
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                demo.send(
                            java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(
                                    stack.url("ticket-service") + "/api/v1/tickets/" + ticket)),
                            demo.token("sam", "sre"))
                        .statusCode()
                    == 200);
    demo.approve(ticket, rev);
  }

  /** A flow that must have ended promoted and resolved, each of its steps published once. */
  static void everyStepOfAPromotedFlowOnce(String ticket, int rev, String workload, JsonNode tested)
      throws Exception {
    JsonNode rollout = demo.awaitRollout(ticket, rev, Demo.ENDED);
    assertThat(rollout.path("phase").asText()).isIn("WATCHING", "SUCCEEDED");
    assertThat(liveImage(workload)).isEqualTo(tested.path("image").asText());
    assertNoCanary(workload);
    demo.awaitTicketState(ticket, "RESOLVED");
    for (EventType type :
        List.of(
            EventType.TICKET_OPENED,
            EventType.TEST_ENVIRONMENT_READY,
            EventType.TEST_RUN_COMPLETED,
            EventType.TEST_ENVIRONMENT_DELETED,
            EventType.PATCH_APPROVED,
            EventType.CHECKPOINT_RECORDED,
            EventType.ROLLOUT_PROMOTED,
            EventType.WATCH_WINDOW_PASSED)) {
      exactlyOne(ticket, type);
    }
    assertNoMirrorLeft();
    JsonNode verify = demo.awaitChainVerified();
    assertThat(verify.path("valid").asBoolean()).isTrue();
    List<String> published =
        events.stream()
            .filter(r -> ticket.equals(header(r, CloudEventHeaders.TICKET_ID)))
            .map(r -> header(r, CloudEventHeaders.SOURCE) + "|" + header(r, CloudEventHeaders.ID))
            .toList();
    await()
        .alias("every event of the flow in the audit trail, once")
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Map<String, Integer> trail = trailIdentities();
              assertThat(published).allSatisfy(id -> assertThat(trail).containsEntry(id, 1));
            });
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  /**
   * Two live replicas of the test-orchestrator, both armed to halt once, mid-mirror: whichever
   * claims the run halts while copying the namespace and never releases its lease. The other, alive
   * all along, takes the run over when the lease runs out, builds the mirror over what was left,
   * tests, and deletes it: one environment, one result, no namespace left.
   */
  @Test
  @Order(9)
  @Tag("crash-matrix")
  void orchestratorHaltedMidMirrorIsTakenOverByTheOtherLiveReplica() throws Exception {
    Path flag = home.resolve("crash-points").resolve("mirror-once-" + System.nanoTime());
    CrashPoint point =
        CrashPoint.atEntry("mirror-half-copied", MIRROR, "createOrKeep").onceAcrossProcesses(flag);
    arm("test-orchestrator", point);
    int port = PORT_BASE + 30;
    Process second =
        stack.launchReplica("test-orchestrator", port, port + 1, "test-orchestrator-2.log");
    try {
      String ticket = demo.alert("checkout");
      demo.diagnose(ticket, "checkout");
      int rev = demo.propose(ticket, "checkout", 7);
      await()
          .alias("a replica halted mid-mirror")
          .atMost(Duration.ofMinutes(3))
          .until(() -> !stack.running("test-orchestrator") || !second.isAlive());
      boolean firstHalted = !stack.running("test-orchestrator");
      if (firstHalted) {
        awaitCrash("test-orchestrator", point);
      } else {
        assertThat(second.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(second.exitValue()).isEqualTo(CrashPoint.EXIT_CODE);
        assertThat(Files.readString(home.resolve("logs").resolve("test-orchestrator-2.log")))
            .contains(point.marker());
      }
      JsonNode tested = awaitPassed(demo, ticket, rev);
      assertThat(firstHalted ? second.isAlive() : stack.running("test-orchestrator"))
          .as("the replica that took over is alive")
          .isTrue();
      String mirror = tested.path("testNamespace").asText();
      assertThat(namespacesSeen).contains(mirror);
      awaitEvents(ticket, EventType.TEST_ENVIRONMENT_DELETED, 1);
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () ->
                  assertThat(kube.namespaces().withName(mirror).get())
                      .as("mirror deleted")
                      .isNull());
      oneTestRunRecordedAndCleanedUp(ticket);
    } finally {
      second.destroyForcibly();
      second.waitFor();
      if (stack.running("test-orchestrator")) {
        stack.kill("test-orchestrator");
      }
      disarmAndRestart("test-orchestrator");
    }
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  /**
   * Halted after the mirror's deletion was issued and before it was recorded: after the restart,
   * the run is taken up again within its lease, finds the namespace gone or going, and records the
   * deletion once.
   */
  @Test
  @Order(10)
  @Tag("crash-matrix")
  void orchestratorHaltedDuringCleanupRecordsTheDeletionOnceAfterRestart() throws Exception {
    CrashPoint point = CrashPoint.atExit("mirror-deleted-unrecorded", MIRROR, "teardown");
    arm("test-orchestrator", point);
    // An app of its own: an alert for a resolved workload reopens that ticket, whose earlier
    // revisions' events would count here too.
    String workload = freshApp("reviews");
    String ticket = demo.alert(workload);
    demo.diagnose(ticket, workload);
    int rev = demo.propose(ticket, workload, 8);
    awaitCrash("test-orchestrator", point);
    disarmAndRestart("test-orchestrator");
    JsonNode tested = awaitPassed(demo, ticket, rev);
    String mirror = tested.path("testNamespace").asText();
    awaitEvents(ticket, EventType.TEST_ENVIRONMENT_DELETED, 1);
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                assertThat(kube.namespaces().withName(mirror).get()).as("mirror deleted").isNull());
    oneTestRunRecordedAndCleanedUp(ticket);
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  /**
   * The revision's one test run: its environment, result and cleanup published once each, no
   * namespace left, and the ticket waiting for its approval.
   */
  static void oneTestRunRecordedAndCleanedUp(String ticket) throws Exception {
    exactlyOne(ticket, EventType.TEST_ENVIRONMENT_READY);
    exactlyOne(ticket, EventType.TEST_RUN_COMPLETED);
    exactlyOne(ticket, EventType.TEST_ENVIRONMENT_DELETED);
    assertNoMirrorLeft();
    demo.awaitTicketState(ticket, "AWAITING_APPROVAL");
  }

  /** An app of the shop that only the calling rows use, seeded on first use. */
  static String freshApp(String name) {
    if (deployment(name) == null) {
      Sandbox.seedApp(kube, name);
    }
    return name;
  }

  /** No namespace the orchestrator made is left, once every run has been cleaned up. */
  static void assertNoMirrorLeft() {
    await()
        .atMost(Duration.ofSeconds(90))
        .untilAsserted(
            () ->
                assertThat(
                        kube
                            .namespaces()
                            .withLabel("app.kubernetes.io/managed-by", "patchops")
                            // A test run's namespace, not the services' own.
                            .withLabel("patchops.dev/run")
                            .list()
                            .getItems()
                            .stream()
                            .map(n -> n.getMetadata().getName())
                            .toList())
                    .as("orphan namespaces")
                    .isEmpty());
  }

  /**
   * The rollout-service halted twice on one node's quarantine: after the node was cordoned and
   * tainted and before that was recorded, then after the node was restored and before the release
   * was recorded. The node ends as it was before (schedulable, no quarantine taint), quarantined
   * and released once each.
   */
  @Test
  @Order(11)
  @Tag("crash-matrix")
  void rolloutServiceHaltedInQuarantineAndInReleaseRestoresTheNodeOnce() throws Exception {
    String node = SimulatedKubelet.NODES.get(1);
    Node original = kube.nodes().withName(node).get();
    assertThat(original.getSpec().getUnschedulable()).isNotEqualTo(Boolean.TRUE);
    String tickets = stack.url("ticket-service") + "/api/v1";
    String equipment = "srv-crash-" + node;
    ObjectNode register = ContractJson.mapper().createObjectNode();
    register
        .put("id", equipment)
        .put("kind", "NODE")
        .put("location", "rack 2, slot 3")
        .put("nodeName", node)
        .put("assignee", "hank");
    demo.post(tickets + "/equipment", "root", "admin", register, 201);

    CrashPoint quarantine = CrashPoint.atEntry("node-cordoned-unrecorded", QUARANTINES, "cordoned");
    arm("rollout-service", quarantine);
    String ticket = fireNodeAlert(node).get(0).asText();
    awaitCrash("rollout-service", quarantine);
    assertThat(kube.nodes().withName(node).get().getSpec().getUnschedulable())
        .as("cordoned before the halt")
        .isTrue();
    disarmAndRestart("rollout-service");
    demo.await(
        "the quarantine on the ticket",
        () -> demo.ticketView(ticket),
        t -> t.has("nodeQuarantinedAt") && !t.path("nodeQuarantinedAt").isNull());
    exactlyOne(ticket, EventType.HARDWARE_QUARANTINED);

    CrashPoint release = CrashPoint.atEntry("node-released-unrecorded", QUARANTINES, "released");
    arm("rollout-service", release);
    ObjectNode reason = ContractJson.mapper().createObjectNode();
    reason.put("reason", "DIMM replaced and checked on the bench; burn-in not needed");
    demo.post(tickets + "/tickets/" + ticket + "/manual-release", "hank", "engineer", reason, 200);
    awaitCrash("rollout-service", release);
    disarmAndRestart("rollout-service");
    awaitEvents(ticket, EventType.HARDWARE_QUARANTINE_RELEASED, 1);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              Node n = kube.nodes().withName(node).get();
              assertThat(n.getSpec().getUnschedulable())
                  .as("schedulable as before the quarantine")
                  .isNotEqualTo(Boolean.TRUE);
              assertThat(
                      n.getSpec().getTaints() == null ? List.<Taint>of() : n.getSpec().getTaints())
                  .noneSatisfy(t -> assertThat(t.getKey()).isEqualTo(Quarantine.TAINT_KEY));
            });
    exactlyOne(ticket, EventType.HARDWARE_QUARANTINE_RELEASED);
    // Plan B keeps the ticket open (nothing proved the node fixed); the release is on it, once.
    JsonNode view =
        demo.await(
            "the release on the ticket",
            () -> demo.ticketView(ticket),
            t -> t.hasNonNull("quarantineReleasedAt"));
    assertThat(view.path("quarantineReleaseMode").asText()).isEqualTo("MANUAL");
    assertThat(demo.awaitChainVerified().path("valid").asBoolean()).isTrue();
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  // ---- Two replicas of every service, one killed at random (docs/reliability.md) ----

  /** Where a flow's replica is killed: each a moment that some service's leadership matters. */
  enum Moment {
    /** The alert's ticket just opened: its events on their way through the outboxes. */
    TICKET_OPENED,
    /** The root cause just recorded. */
    ROOT_CAUSE_RECORDED,
    /** A mirror namespace of the revision exists: the run is being built or tested. */
    TESTS_RUNNING,
    /** A canary Deployment of the workload exists. */
    CANARY_RUNNING,
    /** Promoted: the watch window runs, or has just passed. */
    WATCH_WINDOW
  }

  /** One process of a service: the stack's own, or a second one on ports of its own. */
  record Replica(String service, boolean primary, int port, int managementPort, String log) {
    static Replica primaryOf(String service) {
      return new Replica(
          service,
          true,
          LocalStack.port(PORT_BASE, service),
          LocalStack.managementPort(PORT_BASE, service),
          service + ".log");
    }

    /** Ports clear of the stack's layout (base to base + 13) and of row 9's replica (base + 30). */
    static Replica secondOf(String service) {
      int at = PORT_BASE + 40 + 2 * LocalStack.SERVICES.indexOf(service);
      return new Replica(service, false, at, at + 1, service + "-replica.log");
    }

    String url() {
      return "http://127.0.0.1:" + port;
    }

    String logText() throws java.io.IOException {
      return Files.readString(home.resolve("logs").resolve(log));
    }

    /** Whether this replica's outbox relay is the one publishing for the service's database. */
    boolean leadsTheOutbox() {
      try {
        HttpResponse<String> metrics =
            demo.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/q/metrics"))
                    .GET(),
                null);
        return metrics
            .body()
            .lines()
            .filter(l -> l.startsWith("patchops_outbox_leader"))
            .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) == 1.0);
      } catch (java.io.IOException e) {
        return false;
      }
    }
  }

  static final String ROLLOUT_LEASE = "patchops-rollout-service";

  /** The holder of the rollout-service's Lease, as the API server has it. */
  static String rolloutLeaseHolder() {
    var lease =
        kube.resources(io.fabric8.kubernetes.api.model.coordination.v1.Lease.class)
            .inNamespace(stack.namespace())
            .withName(ROLLOUT_LEASE)
            .get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /**
   * Issue 18, item 1, last row: two replicas of every service, the whole flow (alert, ticket, root
   * cause, tests in a mirror, approval by another person, canary, promotion, watch window, resolved
   * and closed) twice per service, in an order drawn at random; in each flow one replica of that
   * service is SIGKILLed at a moment drawn at random: the first time a replica drawn at random, the
   * second time the other one, so that each service loses its leader once. The flow completes
   * through the survivor (the callers use the survivor's address, as a load balancer would),
   * leadership moves to it where the killed one held it (the outbox relay's advisory lock for every
   * service, the Lease for the rollout-service, a test run's lease for the test-orchestrator), and
   * nothing is doubled: each event once per transition, each event once in the audit trail, one
   * rollout, one promotion webhook, no canary or test namespace left, a complete change record, a
   * chain that verifies. The seed is printed; {@code -Dpatchops.e2e.replica-seed=<seed>} replays a
   * run.
   */
  @Test
  @Order(12)
  @Tag("crash-matrix")
  void theWholeFlowWithTwoReplicasOfEachServiceSurvivesOneKilledAtRandom() throws Exception {
    long seed = Long.getLong("patchops.e2e.replica-seed", System.currentTimeMillis());
    System.out.printf(
        "two replicas of every service: seed %d (replay with -Dpatchops.e2e.replica-seed=%d)%n",
        seed, seed);
    java.util.Random random = new java.util.Random(seed);
    Map<String, Process> seconds = new java.util.LinkedHashMap<>();
    try {
      for (String service : LocalStack.SERVICES) {
        seconds.put(service, launchSecond(service));
      }
      List<String> order = new ArrayList<>(LocalStack.SERVICES);
      java.util.Collections.shuffle(order, random);
      // Two rounds over the services: in the first the replica killed is drawn at random, in the
      // second it is the other one. So each replica of each service is killed once, and each
      // service loses its leader once (a replica killed and started again comes back a follower).
      Map<String, Boolean> firstKilledThePrimary = new java.util.HashMap<>();
      for (int round = 0; round < 2; round++) {
        for (String service : order) {
          boolean primary = round == 0 ? random.nextBoolean() : !firstKilledThePrimary.get(service);
          firstKilledThePrimary.putIfAbsent(service, primary);
          Replica victim = primary ? Replica.primaryOf(service) : Replica.secondOf(service);
          Moment moment = Moment.values()[random.nextInt(Moment.values().length)];
          int delayMs = random.nextInt(1500);
          System.out.printf(
              "two replicas (seed %d, round %d): the %s replica of %s killed at %s + %d ms%n",
              seed, round + 1, primary ? "stack's" : "second", service, moment, delayMs);
          oneFlowWithAReplicaKilled(victim, moment, delayMs, seconds);
        }
      }
      assertThat(leadersKilled).as("services whose leader was killed").containsAll(order);
    } finally {
      for (Process second : seconds.values()) {
        second.destroyForcibly();
        second.waitFor();
      }
      for (String service : LocalStack.SERVICES) {
        if (!stack.running(service)) {
          stack.restart(service);
        }
      }
    }
    everyEventSoFarIsACloudEventAndNoneIsDoubled();
  }

  /** The services of which a killed replica led something (its outbox, the Lease, a run). */
  static final Set<String> leadersKilled = ConcurrentHashMap.newKeySet();

  static Process launchSecond(String service) throws Exception {
    Replica second = Replica.secondOf(service);
    return stack.launchReplica(service, second.port(), second.managementPort(), second.log());
  }

  private void oneFlowWithAReplicaKilled(
      Replica victim, Moment moment, int delayMs, Map<String, Process> seconds) throws Exception {
    String service = victim.service();
    Replica survivor = victim.primary() ? Replica.secondOf(service) : Replica.primaryOf(service);
    // Callers reach the service through the survivor, as a load balancer would once the killed
    // replica stops answering; the other services through the stack's replicas.
    Demo.Endpoints primaries =
        Demo.Endpoints.local("127.0.0.1", PORT_BASE, keys.hookToken, keys.jwt);
    Demo.Endpoints at =
        new Demo.Endpoints(
            service.equals("ticket-service") ? survivor.url() : primaries.ticket(),
            service.equals("rollout-service") ? survivor.url() : primaries.rollout(),
            service.equals("audit-service") ? survivor.url() : primaries.audit(),
            primaries.control(),
            keys.hookToken,
            keys.jwt);
    Demo d = new Demo(at, Demo.CONSOLE);
    // Not a story's app: an alert for a resolved workload would reopen that story's ticket.
    String workload = freshApp("orders");

    String ticket = d.alert(workload);
    if (moment == Moment.TICKET_OPENED) {
      kill(victim, survivor, delayMs, seconds, ticket);
    }
    d.diagnose(ticket, workload);
    if (moment == Moment.ROOT_CAUSE_RECORDED) {
      kill(victim, survivor, delayMs, seconds, ticket);
    }
    Set<String> mirrorsBefore = Set.copyOf(namespacesSeen);
    int rev = d.propose(ticket, workload, 1);
    if (moment == Moment.TESTS_RUNNING) {
      await()
          .alias("a mirror of the revision")
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  // Only the orchestrator makes namespaces while the flow runs.
                  namespacesSeen.stream().anyMatch(n -> !mirrorsBefore.contains(n)));
      kill(victim, survivor, delayMs, seconds, ticket);
    }
    JsonNode tested = awaitPassed(d, ticket, rev);
    d.approve(ticket, rev);
    if (moment == Moment.CANARY_RUNNING) {
      await()
          .alias("a canary of " + workload)
          .atMost(Duration.ofMinutes(2))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  !kube.apps()
                      .deployments()
                      .inNamespace(SHOP)
                      .withLabel("patchops.dev/track", "canary")
                      .list()
                      .getItems()
                      .isEmpty());
      kill(victim, survivor, delayMs, seconds, ticket);
    }
    if (moment == Moment.WATCH_WINDOW) {
      d.awaitRollout(ticket, rev, Set.of("WATCHING", "SUCCEEDED"));
      kill(victim, survivor, delayMs, seconds, ticket);
    }

    JsonNode rollout = d.awaitRollout(ticket, rev, Demo.ENDED);
    assertThat(rollout.path("phase").asText()).isIn("WATCHING", "SUCCEEDED");
    assertThat(liveImage(workload)).isEqualTo(tested.path("image").asText());
    d.awaitTicketState(ticket, "RESOLVED");
    assertNoCanary(workload);
    assertNoMirrorLeft();
    assertThat(d.get(at.rollout() + "/api/v1/rollouts?ticketId=" + ticket, "sam", "sre"))
        .as("one rollout")
        .hasSize(1);
    for (EventType type :
        List.of(
            EventType.ALERT_RECEIVED,
            EventType.TICKET_OPENED,
            EventType.ROOT_CAUSE_RECORDED,
            EventType.PATCH_PROPOSED,
            EventType.TEST_ENVIRONMENT_READY,
            EventType.TEST_RUN_COMPLETED,
            EventType.TEST_ENVIRONMENT_DELETED,
            EventType.PATCH_APPROVED,
            EventType.CHECKPOINT_RECORDED,
            EventType.ROLLOUT_PROMOTED,
            EventType.WATCH_WINDOW_PASSED,
            EventType.TICKET_RESOLVED)) {
      exactlyOne(ticket, type);
    }
    assertThat(eventsOf(ticket, EventType.ROLLOUT_REVERTED)).as("no revert").isEmpty();
    // The webhook is posted by the Lease holder only: once, whichever replica sent it.
    String rolloutId = rollout.path("id").asText();
    await()
        .alias("the promotion's notification sent")
        .atMost(Duration.ofSeconds(60))
        .until(() -> notificationsSent(rolloutId, "PROMOTED") == 1);
    assertThat(notifications)
        .filteredOn(n -> n.path("kind").asText().equals("PROMOTED"))
        .filteredOn(n -> n.path("rolloutId").asText().equals(rolloutId))
        .as("promotion notifications of " + rolloutId)
        .hasSize(1);
    Map<String, Long> steps = new java.util.TreeMap<>();
    eventsOf(ticket, EventType.CANARY_STEP_STARTED)
        .forEach(r -> steps.merge("step " + data(r).path("step").asInt(), 1L, Long::sum));
    assertThat(steps).as("canary steps started").isNotEmpty();
    assertThat(steps.values()).as("each canary step started once: " + steps).allMatch(n -> n == 1);

    d.close(ticket);
    exactlyOne(ticket, EventType.TICKET_CLOSED);
    JsonNode record = d.awaitCompleteChangeRecord(ticket);
    assertThat(record.path("revisions")).hasSize(1);
    assertThat(record.path("rollouts")).hasSize(1);
    assertThat(record.path("rootCauses")).hasSize(1);
    assertThat(record.path("outcome").path("state").asText()).isEqualTo("CLOSED");
    eachPublishedEventOnceInTheTrail();
    assertThat(d.awaitChainVerified().path("valid").asBoolean()).isTrue();
    everyEventSoFarIsACloudEventAndNoneIsDoubled();

    // Two replicas again for the next flow.
    if (victim.primary()) {
      stack.restart(service);
    } else {
      seconds.put(service, launchSecond(service));
    }
  }

  /**
   * SIGKILLs {@code victim} after {@code delayMs} (a moment drawn within the flow's moment, not a
   * wait for anything), then holds leadership to the survivor: whatever the killed one led is led
   * by the survivor afterwards.
   */
  private static void kill(
      Replica victim, Replica survivor, int delayMs, Map<String, Process> seconds, String ticket)
      throws Exception {
    String service = victim.service();
    await()
        .alias("one leader of the " + service + " outbox")
        .atMost(Duration.ofSeconds(60))
        .until(() -> victim.leadsTheOutbox() != survivor.leadsTheOutbox());
    boolean ledTheOutbox = victim.leadsTheOutbox();
    String leaseHolder = null;
    boolean heldTheLease = false;
    if (service.equals("rollout-service")) {
      await()
          .alias("a holder of the rollout Lease")
          .atMost(Duration.ofSeconds(60))
          .until(() -> rolloutLeaseHolder() != null);
      leaseHolder = rolloutLeaseHolder();
      heldTheLease = victim.logText().contains(leaseHolder + " leads the rollouts");
    }
    Thread.sleep(delayMs);
    // The test run's lease as the kill finds it: who executes the run then, if anyone does.
    Map<String, String> runOwners =
        service.equals("test-orchestrator") ? runLeaseOwners(ticket, true) : Map.of();
    int exit;
    if (victim.primary()) {
      exit = stack.kill(service);
    } else {
      Process second = seconds.get(service);
      second.destroyForcibly();
      exit = second.waitFor();
    }
    assertThat(exit).as("SIGKILL of " + service).isEqualTo(137);
    System.out.printf(
        "two replicas: killed the %s replica of %s; it led the outbox: %s%s%n",
        victim.primary() ? "stack's" : "second",
        service,
        ledTheOutbox,
        leaseHolder == null
            ? ""
            : "; it held the Lease: " + heldTheLease + " (" + leaseHolder + ")");
    await()
        .alias("the survivor leads the " + service + " outbox")
        .atMost(Duration.ofSeconds(60))
        .until(survivor::leadsTheOutbox);
    if (ledTheOutbox || heldTheLease) {
      leadersKilled.add(service);
    }
    if (!runOwners.isEmpty()) {
      // The killed replica cannot finish a run: a run it held ends under another owner (the
      // survivor's, once the lease ran out); one the survivor held ends under the same.
      await()
          .alias("the runs of " + ticket + " executed to their end")
          .atMost(Duration.ofMinutes(3))
          .until(() -> runLeaseOwners(ticket, false).keySet().containsAll(runOwners.keySet()));
      Map<String, String> after = runLeaseOwners(ticket, false);
      runOwners.forEach(
          (run, owner) -> {
            boolean moved = !owner.equals(after.get(run));
            System.out.printf(
                "two replicas: run %s held by %s at the kill, finished by %s (%s)%n",
                run, owner, after.get(run), moved ? "taken over" : "the survivor's all along");
            if (moved) {
              leadersKilled.add(service);
            }
          });
    }
    if (service.equals("rollout-service")) {
      String before = leaseHolder;
      boolean moved = heldTheLease;
      // The Lease runs out (15 s) and the survivor takes it; it had it already otherwise.
      await()
          .alias("the survivor holds the rollout Lease")
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                String holder = rolloutLeaseHolder();
                return holder != null
                    && (!moved || !holder.equals(before))
                    && survivor.logText().contains(holder + " leads the rollouts");
              });
    }
  }

  /** Rows of the rollout-service's notification queue of that kind, sent. */
  static long notificationsSent(String rolloutId, String kind) throws Exception {
    try (var c = stack.databaseConnection("rollout-service");
        var st =
            c.prepareStatement(
                "select count(*) from notification where rollout_id = ? and kind = ? and sent_at"
                    + " is not null")) {
      st.setString(1, rolloutId);
      st.setString(2, kind);
      try (var rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Run id to lease owner of the ticket's test runs: those being executed ({@code running}), or
   * those finished.
   */
  static Map<String, String> runLeaseOwners(String ticket, boolean running) throws Exception {
    Map<String, String> owners = new java.util.TreeMap<>();
    try (var c = stack.databaseConnection("test-orchestrator");
        var st =
            c.prepareStatement(
                "select run_id, lease_owner from test_run where ticket_id = ? and lease_owner is"
                    + " not null and "
                    + (running ? "state = 'RUNNING'" : "state in ('COMPLETED', 'CLEANED')"))) {
      st.setString(1, ticket);
      try (var rs = st.executeQuery()) {
        while (rs.next()) {
          owners.put(rs.getString(1), rs.getString(2));
        }
      }
    }
    return owners;
  }

  /** Every event published so far (but the audit-service's own) is in the audit trail once. */
  static void eachPublishedEventOnceInTheTrail() throws Exception {
    for (String service : LocalStack.SERVICES) {
      outboxSent(service);
    }
    readToTheEnd();
    Set<String> published = new HashSet<>();
    for (ConsumerRecord<String, byte[]> r : events) {
      if (!Topics.AUDIT.equals(r.topic()) && !Topics.DEAD_LETTER.equals(r.topic())) {
        published.add(header(r, CloudEventHeaders.SOURCE) + "|" + header(r, CloudEventHeaders.ID));
      }
    }
    await()
        .alias("every published event in the trail")
        .atMost(Duration.ofSeconds(90))
        .until(() -> trailIdentities().keySet().containsAll(published));
    assertThat(trailIdentities().entrySet().stream().filter(e -> e.getValue() != 1).toList())
        .as("events stored more than once in the trail")
        .isEmpty();
  }

  /** Restarts the service with {@code point} armed in its JVM. */
  static void arm(String service, CrashPoint point) throws Exception {
    assertThat(stack.kill(service)).isEqualTo(CrashPoint.EXIT_CODE);
    stack.withServiceEnv(
        service,
        Map.of(
            "JAVA_TOOL_OPTIONS",
            String.join(" ", point.jvmArguments(home.resolve("crash-points")))));
    stack.restart(service);
  }

  static void awaitCrash(String service, CrashPoint point) throws Exception {
    assertThat(stack.awaitExit(service, Duration.ofMinutes(3)))
        .as("%s halted at %s", service, point.name())
        .isEqualTo(CrashPoint.EXIT_CODE);
    assertThat(Files.readString(home.resolve("logs").resolve(service + ".log")))
        .contains(point.marker());
  }

  static void disarmAndRestart(String service) throws Exception {
    stack.withServiceEnv(service, Map.of("JAVA_TOOL_OPTIONS", ""));
    stack.restart(service);
  }
}
