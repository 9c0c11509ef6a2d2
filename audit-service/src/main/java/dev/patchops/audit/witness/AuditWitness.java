package dev.patchops.audit.witness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.audit.checkpoint.KeySet;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Provenance;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AuditCheckpointSigned;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.platform.messaging.KafkaSecurity;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jboss.logging.Logger;

/**
 * Holds the audit-service to its past from the outside. It keeps every checkpoint published on
 * {@code patchops.audit} in its own store (consumer group {@value #GROUP}), checks each one's
 * signature against its own copy of the key set and its link to the last one it accepted, and on a
 * schedule asks the service for its newest checkpoint and for a verification of its chain against
 * the witnessed checkpoints. Any disagreement is an alert: an ERROR log line, the counter {@code
 * patchops_audit_witness_alerts_total{kind}} and the gauge {@code patchops_audit_witness_mismatch},
 * which the PrometheusRule {@code PatchOpsAuditWitnessMismatch} pages on. Someone who holds the
 * service's database and its signing key can make the service's own verification pass; they cannot
 * reach what the witness heard.
 */
@ApplicationScoped
public class AuditWitness {
  public static final String GROUP = "audit-witness";
  private static final Logger LOG = Logger.getLogger(AuditWitness.class);
  private static final int MAX_KEPT = 1000;

  private final WitnessConfig config;
  private final PlatformConfig platform;
  private final WitnessStore store;
  private final MeterRegistry registry;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** 1 when the last check found a mismatch, 0 when it found none, -1 unknown. */
  private final AtomicLong mismatch = new AtomicLong(-1);

  private KeySet keys;
  private volatile boolean running;
  private Thread consumerThread;
  private KafkaConsumer<String, byte[]> consumer;

  @Inject
  public AuditWitness(
      WitnessConfig config, PlatformConfig platform, WitnessStore store, MeterRegistry registry) {
    this.config = config;
    this.platform = platform;
    this.store = store;
    this.registry = registry;
  }

  void start(@Observes StartupEvent event) {
    if (!config.enabled()) {
      return;
    }
    List<String> published = config.publishedKeys().orElse(List.of());
    if (published.isEmpty()) {
      throw new IllegalStateException(
          "audit.witness.published-keys is empty: the witness needs its own copy of the key set");
    }
    keys = KeySet.parse(published);
    Gauge.builder("patchops.audit.witness.mismatch", mismatch, AtomicLong::get)
        .description("1 when the witness found the audit-service contradicting what it heard")
        .register(registry);
    Properties props = new Properties();
    props.putAll(
        KafkaSecurity.clientProperties(
            platform.kafka().bootstrapServers(),
            platform.kafka().securityProtocol(),
            config.kafkaUser().orElse(platform.kafka().user()),
            config.kafkaPassword().orElse(platform.kafka().password())));
    props.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, GROUP);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(Topics.AUDIT));
    running = true;
    consumerThread = new Thread(this::consume, "audit-witness");
    consumerThread.setDaemon(true);
    consumerThread.start();
  }

  private void consume() {
    try {
      while (running) {
        var records = consumer.poll(Duration.ofMillis(500));
        boolean done = false;
        while (!done && running) {
          try {
            for (ConsumerRecord<String, byte[]> record : records) {
              hear(record);
            }
            done = true;
          } catch (RuntimeException e) {
            // The witness's database is away: hold the offsets and try the same records again.
            LOG.warnf("audit witness cannot store what it heard, retrying: %s", e.getMessage());
            sleep(Duration.ofSeconds(1));
          }
        }
        if (done && !records.isEmpty()) {
          consumer.commitSync();
        }
      }
    } catch (WakeupException e) {
      // closing
    } finally {
      consumer.close(Duration.ofSeconds(2));
    }
  }

  /** One record of the audit topic: judged against the witness's head, then kept. */
  void hear(ConsumerRecord<String, byte[]> record) {
    String type = header(record, CloudEventHeaders.TYPE);
    String source = header(record, CloudEventHeaders.SOURCE);
    if (!EventType.AUDIT_CHECKPOINT_SIGNED.type().equals(type)) {
      return;
    }
    Optional<String> untrusted =
        Provenance.refusal(EventType.AUDIT_CHECKPOINT_SIGNED, source, Set.of());
    if (untrusted.isPresent()) {
      registry.counter("patchops.inbox.untrusted", "consumer", GROUP, "type", type).increment();
      LOG.warnf(
          "audit witness ignores %s-%d@%d: %s",
          record.topic(), record.partition(), record.offset(), untrusted.get());
      return;
    }
    AuditCheckpointSigned signed;
    try {
      signed = ContractJson.mapper().readValue(record.value(), AuditCheckpointSigned.class);
    } catch (IOException | RuntimeException e) {
      LOG.warnf(
          "audit witness cannot read %s-%d@%d: %s",
          record.topic(), record.partition(), record.offset(), e.getMessage());
      return;
    }
    Witnessed heard =
        new Witnessed(
            signed.seq(),
            signed.headHash(),
            signed.signedAt(),
            signed.keyId(),
            signed.signature(),
            signed.prevCheckpointHash());
    if (store.known(heard)) {
      return;
    }
    List<WitnessJudge.Mismatch> found = WitnessJudge.onCheckpoint(store.head(), heard, keys);
    store.record(
        heard,
        record.partition(),
        record.offset(),
        found.isEmpty(),
        found.isEmpty() ? null : found.get(0).detail());
    raise(found);
  }

  @Scheduled(
      identity = "audit-witness",
      every = "${audit.witness.interval}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    if (config.enabled()) {
      audit();
    }
  }

  /**
   * Asks the service for its newest checkpoint and to verify its chain against the witnessed
   * checkpoints, and raises an alert for every disagreement.
   *
   * @return what disagreed; empty when the service's answers match what was witnessed
   */
  public List<WitnessJudge.Mismatch> audit() {
    String base =
        config
            .serviceUrl()
            .orElseThrow(() -> new IllegalStateException("audit.witness.service-url is not set"));
    Map<Long, Witnessed> witnessed = store.accepted(MAX_KEPT);
    try {
      Optional<Witnessed> latest = latest(base);
      JsonNode report = verify(base, witnessed);
      List<WitnessJudge.Mismatch> found =
          WitnessJudge.onServiceAnswers(
              witnessed,
              latest,
              report.path("valid").asBoolean(false),
              report.path("firstBroken").toString(),
              keys);
      raise(found);
      mismatch.set(found.isEmpty() ? 0 : 1);
      return found;
    } catch (IOException e) {
      mismatch.set(-1);
      LOG.warnf("audit witness cannot reach the audit-service at %s: %s", base, e.getMessage());
      throw new IllegalStateException("the audit-service did not answer the witness", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private Optional<Witnessed> latest(String base) throws IOException, InterruptedException {
    HttpResponse<String> response =
        http.send(
            request(base + "/api/v1/audit/checkpoints/latest").GET().build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    JsonNode c = ok(response);
    return Optional.of(
        new Witnessed(
            c.path("seq").asLong(),
            c.path("headHash").asText(),
            Instant.parse(c.path("signedAt").asText()),
            c.path("keyId").asText(),
            c.path("signature").asText(),
            c.path("prevCheckpointHash").isTextual()
                ? c.path("prevCheckpointHash").asText()
                : null));
  }

  private JsonNode verify(String base, Map<Long, Witnessed> witnessed)
      throws IOException, InterruptedException {
    ObjectNode body = ContractJson.mapper().createObjectNode();
    ArrayNode kept = body.putArray("checkpoints");
    for (Witnessed w : witnessed.values()) {
      ObjectNode c =
          kept.addObject()
              .put("seq", w.seq())
              .put("headHash", w.headHash())
              .put("signedAt", w.signedAt().toString())
              .put("keyId", w.keyId())
              .put("signature", w.signature());
      if (w.prevCheckpointHash() != null) {
        c.put("prevCheckpointHash", w.prevCheckpointHash());
      }
    }
    if (witnessed.isEmpty()) {
      HttpResponse<String> response =
          http.send(
              request(base + "/api/v1/audit/verify").GET().build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return ok(response);
    }
    HttpResponse<String> response =
        http.send(
            request(base + "/api/v1/audit/verify")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return ok(response);
  }

  private HttpRequest.Builder request(String url) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofMinutes(5))
            .header("Accept", "application/json");
    config.token().ifPresent(t -> builder.header("Authorization", "Bearer " + t));
    return builder;
  }

  private static JsonNode ok(HttpResponse<String> response) throws IOException {
    if (response.statusCode() != 200) {
      throw new IOException(
          "HTTP " + response.statusCode() + " from " + response.uri() + ": " + response.body());
    }
    return ContractJson.mapper().readTree(response.body());
  }

  private void raise(List<WitnessJudge.Mismatch> found) {
    for (WitnessJudge.Mismatch m : found) {
      store.alert(m);
      registry.counter("patchops.audit.witness.alerts", "kind", m.kind().name()).increment();
      mismatch.set(1);
      LOG.errorf(
          "AUDIT WITNESS ALERT %s at seq %d: %s. The audit-service contradicts what was published"
              + " on %s; its trail may have been rewritten by someone holding its database and"
              + " signing key.",
          m.kind(), m.seq(), m.detail(), Topics.AUDIT);
    }
  }

  /** 1, 0 or -1: see the gauge. */
  public long mismatch() {
    return mismatch.get();
  }

  public Optional<Witnessed> head() {
    return store.head();
  }

  @PreDestroy
  void stop() {
    running = false;
    if (consumer != null) {
      consumer.wakeup();
    }
    if (consumerThread != null) {
      try {
        consumerThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String header(ConsumerRecord<String, byte[]> record, String name) {
    Header header = record.headers().lastHeader(name);
    return header == null || header.value() == null
        ? null
        : new String(header.value(), StandardCharsets.UTF_8);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
