package dev.patchops.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.messaging.RolloutEventsConsumer;
import dev.patchops.testing.CrashPoint;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.PatchOpsInfra;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.KubernetesControlPlane;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged rollout-service as its own process, killed with SIGKILL in the middle of a canary
 * and started again on the same database, broker and cluster. What the leading tools never test.
 * Being the packaged jar in its production profile, it is also where that profile's exposure is
 * checked.
 */
class RolloutCrashIT {
  static final Duration WAIT = Duration.ofSeconds(90);
  static final Duration SETTLE = Duration.ofSeconds(3);

  /** The leader Lease's name: rollout.leader.lease-name, left at its default as deployed. */
  static final String LEASE = "patchops-rollout-service";

  static PatchOpsInfra infra;
  static KubernetesControlPlane kube;
  static Map<String, String> infraConfig;
  static Map<String, String> kubeConfig;
  static KubernetesClient client;
  final List<Process> processes = new ArrayList<>();
  String killedHolder;

  @BeforeAll
  static void infrastructure() {
    infra = new PatchOpsInfra();
    infraConfig = infra.start();
    kube = new KubernetesControlPlane();
    kubeConfig = kube.start();
    client = TestCluster.admin();
    Sandbox.start(client);
  }

  @AfterAll
  static void stopInfrastructure() {
    if (kube != null) {
      kube.stop();
    }
    if (infra != null) {
      infra.stop();
    }
  }

  @AfterEach
  void stopProcesses() {
    processes.forEach(Process::destroyForcibly);
  }

  /** The production profile, configured the way deploy/ configures it: through the environment. */
  String launch() throws IOException {
    return launch(null);
  }

  /** The service, with {@code armed} (when not null) halting it at its point. */
  String launch(CrashPoint armed) throws IOException {
    return launch(armed, kubeConfig.get("quarkus.kubernetes-client.api-server-url"));
  }

  /**
   * The service, reaching the Kubernetes API at {@code apiServer}. A free port can be taken by
   * another process between our probe and the service's bind (other builds share this machine);
   * only that failure is tried again, with new ports.
   */
  String launch(CrashPoint armed, String apiServer) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        return launchOnce(armed, apiServer);
      } catch (PortTaken e) {
        if (attempt == 3) {
          throw e;
        }
      }
    }
  }

  static final class PortTaken extends IllegalStateException {
    PortTaken(String message) {
      super(message);
    }
  }

  private String launchOnce(CrashPoint armed, String apiServer) throws IOException {
    int port = freePort();
    int managementPort = freePort();
    Path workspace = Path.of(System.getProperty("devstack.test.workspace"));
    Path log = Files.createTempFile("rollout-service-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (armed != null) {
      command.addAll(armed.jvmArguments(workspace.resolve("crash-points")));
    }
    command.addAll(
        List.of(
            "-Xmx384m",
            "-Dquarkus.http.port=" + port,
            "-Dquarkus.management.port=" + managementPort,
            "-Dquarkus.kubernetes-client.api-server-url=" + apiServer,
            // As deployed: the service's own ServiceAccount, held to the RBAC of deploy/.
            "-Dquarkus.kubernetes-client.token="
                + TestCluster.tokenOf("patchops", "rollout-service"),
            "-Dkubernetes.auth.tryKubeConfig=false",
            "-Dquarkus.kubernetes-client.namespace=patchops",
            "-Dmp.jwt.verify.issuer=" + infraConfig.get("mp.jwt.verify.issuer"),
            // No case here waits for a deadline to fail a step; a short one only turned a loaded
            // machine's slow checkpoint or canary into a failed rollout the case did not expect.
            "-Drollout.progress-deadline=60s",
            "-Drollout.watch-window=3s",
            "-Drollout.tick=100ms",
            "-Drollout.target-namespaces=shop-*",
            "-Drollout.leader.lease-duration=4s",
            "-Drollout.leader.renew-deadline=3s",
            "-Drollout.leader.retry-period=500ms",
            "-jar",
            System.getProperty("rollout.jar")));
    ProcessBuilder pb =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    Map<String, String> env = pb.environment();
    env.put("PATCHOPS_DB_URL", infraConfig.get("quarkus.datasource.jdbc.url"));
    env.put("PATCHOPS_DB_USER", infraConfig.get("quarkus.datasource.username"));
    env.put("PATCHOPS_DB_PASSWORD", infraConfig.get("quarkus.datasource.password"));
    env.put("KAFKA_BOOTSTRAP_SERVERS", infraConfig.get("kafka.bootstrap.servers"));
    env.put("PATCHOPS_KAFKA_USER", infraConfig.get("patchops.kafka.user"));
    env.put("PATCHOPS_KAFKA_PASSWORD", infraConfig.get("patchops.kafka.password"));
    env.put(
        "PATCHOPS_JWT_PUBLIC_KEY_LOCATION", workspace.resolve("jwt-public.pem").toUri().toString());
    env.put("PATCHOPS_ROLLOUT_CHECKPOINT_KEY", "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=");
    env.put("PATCHOPS_NAMESPACE", "patchops");
    Process process = pb.start();
    processes.add(process);
    logs.put(process, log);
    String base = "http://127.0.0.1:" + port;
    String management = "http://127.0.0.1:" + managementPort;
    managementOf.put(base, management);
    processByBase.put(base, process);
    try {
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(
              () ->
                  !process.isAlive()
                      || given().baseUri(management).get("/q/health/ready").statusCode() == 200);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "rollout-service not ready; log " + log + ":\n" + tail(log), e);
    }
    if (!process.isAlive()) {
      String why = "rollout-service exited at start; log " + log + ":\n" + tail(log);
      processes.remove(process);
      if (Files.readString(log).contains("java.net.BindException")) {
        throw new PortTaken(why);
      }
      throw new IllegalStateException(why);
    }
    return base;
  }

  /**
   * Health and metrics of each process, by its REST base URL: the packaged jar serves them apart.
   */
  private final Map<String, String> managementOf = new java.util.HashMap<>();

  private final Map<Process, Path> logs = new java.util.HashMap<>();

  private final Map<String, Process> processByBase = new java.util.HashMap<>();

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return e.toString();
    }
  }

  static String ticket(String ns) {
    return "TCK-CRASH-" + ns;
  }

  static String sre() {
    return TestInfra.bearer("sam", "sre");
  }

  /**
   * Starts the rollout by its approval, as the ticket-service would: the start gate lets a rollout
   * through only for an approval, and the approval event itself starts it.
   */
  String start(String base, String ns, String image) {
    String id = approve(ns, image);
    await().atMost(WAIT).ignoreExceptions().until(() -> phase(base, id) != null);
    return id;
  }

  /** The approval event alone; the rollout's id, which its consumer derives from the event. */
  String approve(String ns, String image) {
    String eventId = java.util.UUID.randomUUID().toString();
    WorkloadRef checkout = new WorkloadRef(ns, "Deployment", "checkout");
    EventSender.send(
        new PatchApproved(
            ticket(ns),
            1,
            "ann-approver",
            "dev-dana",
            false,
            null,
            image,
            List.of(new ContainerTarget(checkout, "app")),
            List.of(new CanaryStep(25, 600), new CanaryStep(50, 600)),
            Instant.now()),
        "ticket-service",
        eventId);
    return RolloutEventsConsumer.eventRolloutId(eventId, checkout);
  }

  static String phase(String base, String id) {
    return given()
        .baseUri(base)
        .header("Authorization", sre())
        .get("/api/v1/rollouts/" + id)
        .then()
        .statusCode(200)
        .extract()
        .path("phase");
  }

  /** Kills the service once its canary runs; the canary's UID, read before the kill. */
  String killMidCanary(Process process, String base, String ns, String id)
      throws InterruptedException {
    awaitReadyCanary(base, ns, id);
    String uid = canary(ns).getMetadata().getUid();
    killedHolder = leaseHolder();
    assertThat(killedHolder).as("the first process leads").isNotNull();
    process.destroyForcibly();
    assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    return uid;
  }

  void awaitReadyCanary(String base, String ns, String id) {
    try {
      await().atMost(WAIT).until(() -> "PROGRESSING".equals(phase(base, id)));
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Deployment canary = canary(ns);
                return canary != null
                    && canary.getStatus() != null
                    && Integer.valueOf(1).equals(canary.getStatus().getReadyReplicas());
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      // A timeout alone says nothing of why: the phase and every process's last lines do.
      throw new AssertionError(
          "no ready canary for "
              + id
              + " in "
              + ns
              + "; phase "
              + phaseOrError(base, id)
              + ", lease "
              + leaseHolder()
              + "\n"
              + processLogs(),
          e);
    }
  }

  private static String phaseOrError(String base, String id) {
    try {
      return phase(base, id);
    } catch (RuntimeException | AssertionError e) {
      return e.toString();
    }
  }

  private String processLogs() {
    StringBuilder out = new StringBuilder();
    logs.forEach(
        (process, log) ->
            out.append("--- ")
                .append(log)
                .append(process.isAlive() ? " (alive)" : " (exited)")
                .append('\n')
                .append(tail(log))
                .append('\n'));
    return out.toString();
  }

  /**
   * Waits for the armed point to stop the process: a kill's exit code, and the rule's own line in
   * the log, so that a crash anywhere else cannot pass for this one.
   */
  void awaitCrash(Process process, CrashPoint point) throws Exception {
    assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
        .as("the service reached %s", point.name())
        .isTrue();
    assertThat(process.exitValue()).isEqualTo(CrashPoint.EXIT_CODE);
    assertThat(Files.readString(logs.get(process))).contains(point.marker());
    // A halted process never releases its Lease: the next one must wait it out and take it over.
    killedHolder = leaseHolder();
    assertThat(killedHolder).as("the halted process led").isNotNull();
  }

  static Deployment canary(String ns) {
    return client.apps().deployments().inNamespace(ns).withName("checkout-canary").get();
  }

  /** Who holds the rollout-service's leader Lease now, or null. */
  static String leaseHolder() {
    Lease lease = client.leases().inNamespace("patchops").withName(LEASE).get();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  /**
   * The restarted process has taken the Lease over from the killed one, which never released it:
   * from here on the new process alone acts on the cluster.
   */
  void awaitNewLeader() {
    await().atMost(WAIT).until(() -> leaseHolder() != null && !leaseHolder().equals(killedHolder));
  }

  /**
   * The ticket's events up to the first of {@code lastType}, and whatever follows it for a few
   * seconds more: a duplicate published late must be seen too.
   */
  static List<String> story(KafkaProbe probe, String ticketId, EventType lastType) {
    List<String> types = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!types.contains(lastType.type()) && System.nanoTime() < deadline) {
      probe.collect(r -> ticketId.equals(r.key()), 1, Duration.ofMillis(200)).stream()
          .map(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
          .forEach(types::add);
    }
    probe.collect(r -> ticketId.equals(r.key()), Integer.MAX_VALUE, SETTLE).stream()
        .map(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
        .forEach(types::add);
    return types;
  }

  static long count(List<String> types, EventType type) {
    return types.stream().filter(type.type()::equals).count();
  }

  @Test
  void theProductionProfileServesNeitherMetricsNorSwaggerUiOnTheRestPort() throws Exception {
    String base = launch();
    String management = managementOf.get(base);
    given().baseUri(base).get("/q/metrics").then().statusCode(404);
    given().baseUri(base).get("/q/health/ready").then().statusCode(404);
    given().baseUri(base).redirects().follow(false).get("/q/swagger-ui").then().statusCode(404);
    given().baseUri(base).get("/q/openapi").then().statusCode(200);
    given()
        .baseUri(management)
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(org.hamcrest.Matchers.containsString("jvm_memory_used_bytes"));
    given().baseUri(management).get("/q/swagger-ui").then().statusCode(404);
  }

  @Test
  void killedInTheMiddleOfACanaryItContinuesAfterRestartAndPromotes() throws Exception {
    String ns = Sandbox.shop(client);
    String image = Sandbox.image("", '7');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String first = launch();
      String id = start(first, ns, image);
      // Every change to the canary Deployment from before the kill to the end: a canary removed
      // and made again by the new process would show here even if it happened between two reads.
      List<String> canaryChanges = new java.util.concurrent.CopyOnWriteArrayList<>();
      String canaryUid;
      try (io.fabric8.kubernetes.client.Watch watch =
          client
              .apps()
              .deployments()
              .inNamespace(ns)
              .withName("checkout-canary")
              .watch(
                  new io.fabric8.kubernetes.client.Watcher<>() {
                    @Override
                    public void eventReceived(Action action, Deployment d) {
                      if (action != Action.MODIFIED) {
                        canaryChanges.add(action + " " + d.getMetadata().getUid());
                      }
                    }

                    @Override
                    public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
                  })) {
        canaryUid = killMidCanary(processes.get(0), first, ns, id);
        canaryChanges.removeIf(c -> c.equals("ADDED " + canaryUid));

        String second = launch();
        awaitNewLeader();
        // The new leader has made a pass (its gauge exists only once a pass ran), orphan sweep
        // included: from here on it has seen the canary.
        await()
            .atMost(WAIT)
            .until(
                () ->
                    given()
                        .baseUri(managementOf.get(second))
                        .get("/q/metrics")
                        .then()
                        .extract()
                        .asString()
                        .contains("patchops_rollouts_active"));
        // Still mid-step after the restart: the canary it found is the one it made, not a new one.
        assertThat(phase(second, id)).isEqualTo("PROGRESSING");
        assertThat(canary(ns).getMetadata().getUid()).isEqualTo(canaryUid);
        assertThat(canaryChanges).as("the canary was neither removed nor replaced").isEmpty();
        promoteAndFinish(second, id, ns, image, probe);
        assertThat(canaryChanges)
            .as("one canary from start to end, removed once, after the promotion")
            .containsExactly("DELETED " + canaryUid);
      }
    }
  }

  private List<String> promoteAndFinish(
      String second, String id, String ns, String image, KafkaProbe probe) {
    {
      given()
          .baseUri(second)
          .header("Authorization", sre())
          .post("/api/v1/rollouts/" + id + "/promote?full=true")
          .then()
          .statusCode(200);
      await().atMost(WAIT).until(() -> "SUCCEEDED".equals(phase(second, id)));
      Deployment stable = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
          .isEqualTo(image);
      assertThat(stable.getSpec().getReplicas()).isEqualTo(4);
      Sandbox.assertNoCanaryLeft(client, ns, id);
      List<String> story = story(probe, ticket(ns), EventType.WATCH_WINDOW_PASSED);
      assertThat(count(story, EventType.CANARY_STEP_STARTED))
          .as("the first step started once, before the kill: %s", story)
          .isEqualTo(1);
      return story;
    }
  }

  @Test
  void anAlertWhileTheServiceIsDownRevertsExactlyOnceItIsBack() throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String first = launch();
      String id = start(first, ns, Sandbox.image("", '8'));
      String canaryUid = killMidCanary(processes.get(0), first, ns, id);
      assertThat(canaryUid).isNotNull();

      EventSender.send(
          new AlertReceived(
              null,
              "fp-crash-" + ns,
              "alertmanager",
              "CheckoutErrors",
              Severity.SEV1,
              Map.of("namespace", ns),
              Map.of(),
              new WorkloadRef(ns, "Deployment", "checkout"),
              Instant.now()),
          "ticket-service");
      String second = launch();
      awaitNewLeader();
      await().atMost(WAIT).until(() -> "REVERTED".equals(phase(second, id)));
      Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(live.getSpec()).isEqualTo(before.getSpec());
      assertThat(
              given()
                  .baseUri(second)
                  .header("Authorization", sre())
                  .get("/api/v1/rollouts/" + id)
                  .then()
                  .extract()
                  .<String>path("revertTrigger"))
          .isEqualTo("ALERT");
      Sandbox.assertNoCanaryLeft(client, ns, id);
      List<String> story = story(probe, ticket(ns), EventType.REVERT_COMPLETED);
      assertThat(count(story, EventType.ROLLOUT_REVERTED)).as("reverted: %s", story).isEqualTo(1);
      assertThat(count(story, EventType.REVERT_COMPLETED))
          .as("revert completed: %s", story)
          .isEqualTo(1);
    }
  }

  // The crash matrix: the service halted, as by SIGKILL, at each transition it owns, between the
  // cluster change and the row that records it, or inside the transaction that records it.

  static final String SERVICE = RolloutService.class.getName();

  @Test
  void haltedWhileRecordingTheCheckpointItRecordsItOnceAfterRestart() throws Exception {
    CrashPoint point = CrashPoint.atExit("checkpoint-uncommitted", SERVICE, "recordCheckpoint");
    String ns = Sandbox.shop(client);
    String image = Sandbox.image("", '1');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      Process first = processOf(launch(point));
      String id = approve(ns, image);
      awaitCrash(first, point);
      String second = launch();
      awaitNewLeader();
      awaitReadyCanary(second, ns, id);
      List<String> story = promoteAndFinish(second, id, ns, image, probe);
      assertThat(count(story, EventType.CHECKPOINT_RECORDED))
          .as("one checkpoint, recorded by the second process: %s", story)
          .isEqualTo(1);
    }
  }

  @Test
  void haltedBetweenPromotionAndItsRecordItFinishesThePromotionOnce() throws Exception {
    promotionHaltedAt(CrashPoint.atEntry("promoted-unrecorded", SERVICE, "promoted"), '2');
  }

  @Test
  void haltedInTheWatchWindowsLastTransactionItSucceedsOnce() throws Exception {
    promotionHaltedAt(CrashPoint.atExit("watch-passed-uncommitted", SERVICE, "watchPassed"), '3');
  }

  /** A full promotion mid-canary, the service halted at {@code point} on the way to SUCCEEDED. */
  private void promotionHaltedAt(CrashPoint point, char digest) throws Exception {
    String ns = Sandbox.shop(client);
    String image = Sandbox.image("", digest);
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String first = launch(point);
      String id = start(first, ns, image);
      awaitReadyCanary(first, ns, id);
      command(first, id, "promote?full=true");
      awaitCrash(processOf(first), point);
      String second = launch();
      awaitNewLeader();
      List<String> story = finishPromoted(second, id, ns, image, probe);
      assertThat(count(story, EventType.ROLLOUT_PROMOTED)).as("%s", story).isEqualTo(1);
    }
  }

  @Test
  void haltedAfterTheRestoreWasWrittenItCompletesTheRevertOnce() throws Exception {
    revertHaltedAt(CrashPoint.atEntry("restore-unrecorded", SERVICE, "restoreIssued"), '4');
  }

  @Test
  void haltedWhileRecordingTheVerifiedRevertItCompletesItOnce() throws Exception {
    revertHaltedAt(CrashPoint.atExit("revert-uncommitted", SERVICE, "revertCompleted"), '5');
  }

  /** An abort mid-canary, the service halted at {@code point} on the way back. */
  private void revertHaltedAt(CrashPoint point, char digest) throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String first = launch(point);
      String id = start(first, ns, Sandbox.image("", digest));
      awaitReadyCanary(first, ns, id);
      command(first, id, "abort");
      awaitCrash(processOf(first), point);
      String second = launch();
      awaitNewLeader();
      await().atMost(WAIT).until(() -> "REVERTED".equals(phase(second, id)));
      Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(live.getSpec()).isEqualTo(before.getSpec());
      Sandbox.assertNoCanaryLeft(client, ns, id);
      List<String> story = story(probe, ticket(ns), EventType.REVERT_COMPLETED);
      assertThat(count(story, EventType.ROLLOUT_REVERTED)).as("reverted: %s", story).isEqualTo(1);
      assertThat(count(story, EventType.REVERT_COMPLETED))
          .as("revert completed: %s", story)
          .isEqualTo(1);
    }
  }

  /** After a restart mid-promotion: the patch is live, the canary gone, the window passed once. */
  private List<String> finishPromoted(
      String base, String id, String ns, String image, KafkaProbe probe) {
    await().atMost(WAIT).until(() -> "SUCCEEDED".equals(phase(base, id)));
    Deployment stable = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    assertThat(stable.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(image);
    Sandbox.assertNoCanaryLeft(client, ns, id);
    List<String> story = story(probe, ticket(ns), EventType.WATCH_WINDOW_PASSED);
    assertThat(count(story, EventType.WATCH_WINDOW_PASSED)).as("%s", story).isEqualTo(1);
    return story;
  }

  static void command(String base, String id, String command) {
    given()
        .baseUri(base)
        .header("Authorization", sre())
        .post("/api/v1/rollouts/" + id + "/" + command)
        .then()
        .statusCode(200);
  }

  private Process processOf(String base) {
    return processByBase.get(base);
  }

  @Test
  void kafkaDownForSixtySecondsMidCanaryTheRolloutCompletesWithEveryEventOnce() throws Exception {
    String ns = Sandbox.shop(client);
    String image = Sandbox.image("", 'a');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String base = launch();
      String id = start(base, ns, image);
      awaitReadyCanary(base, ns, id);
      dev.patchops.devstack.KafkaBroker broker = TestInfra.kafkaBroker();
      broker.stop();
      try {
        command(base, id, "promote?full=true");
        // The outage itself, not a wait for something: the broker stays away for the 60 s.
        Thread.sleep(Duration.ofSeconds(60).toMillis());
        assertThat(phase(base, id))
            .as("the cluster work goes on without the broker")
            .isIn("WATCHING", "SUCCEEDED");
      } finally {
        TestInfra.restartKafka(broker);
      }
      List<String> story = finishPromoted(base, id, ns, image, probe);
      assertEveryRolloutEventOnce(story);
    }
  }

  @Test
  void itsDatabaseRestartedMidCanaryTheRolloutCompletesWithEveryEventOnce() throws Exception {
    String ns = Sandbox.shop(client);
    String image = Sandbox.image("", 'b');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String base = launch();
      String id = start(base, ns, image);
      awaitReadyCanary(base, ns, id);
      infra.restartPostgres();
      // The pool's old connections died with the server; the first request after may still meet
      // one, and must get a clean refusal, never a half-done promotion.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  given()
                          .baseUri(base)
                          .header("Authorization", sre())
                          .post("/api/v1/rollouts/" + id + "/promote?full=true")
                          .statusCode()
                      == 200);
      List<String> story = finishPromoted(base, id, ns, image, probe);
      assertEveryRolloutEventOnce(story);
    }
  }

  /**
   * The outage: the service cut off from the API server (the server itself and every other
   * client go on) from just before an abort until 30 s later. Nothing can be restored meanwhile;
   * the failed attempts must show, and the revert must finish on its own once the API is back.
   */
  @Test
  void theKubernetesApiUnreachableForThirtySecondsTheRevertCompletesWhenItReturns()
      throws Exception {
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    java.net.URI api =
        java.net.URI.create(kubeConfig.get("quarkus.kubernetes-client.api-server-url"));
    try (dev.patchops.testing.TcpProxy relay =
            new dev.patchops.testing.TcpProxy(api.getHost(), api.getPort());
        KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      String base =
          launch(null, api.getScheme() + "://127.0.0.1:" + relay.port() + api.getRawPath());
      String id = start(base, ns, Sandbox.image("", 'c'));
      awaitReadyCanary(base, ns, id);
      relay.cut();
      Instant cutAt = Instant.now();
      try {
        command(base, id, "abort");
        await()
            .atMost(WAIT)
            .until(() -> String.valueOf(view(base, id).get("message")).contains("revert attempt"));
        // The outage itself, not a wait for something: the API stays away for the 30 s.
        Thread.sleep(
            Math.max(
                0,
                Duration.ofSeconds(30).minus(Duration.between(cutAt, Instant.now())).toMillis()));
        assertThat(phase(base, id))
            .as("nothing can be restored without the API")
            .isEqualTo("REVERTING");
        assertThat(canary(ns)).as("the canary is still there").isNotNull();
      } finally {
        relay.restore();
      }
      await().atMost(WAIT).until(() -> "REVERTED".equals(phase(base, id)));
      Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(live.getSpec()).isEqualTo(before.getSpec());
      Sandbox.assertNoCanaryLeft(client, ns, id);
      List<org.apache.kafka.clients.consumer.ConsumerRecord<String, byte[]>> completed =
          probe.collect(
              r ->
                  ticket(ns).equals(r.key())
                      && EventType.REVERT_COMPLETED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
              1,
              WAIT,
              SETTLE);
      assertThat(completed).as("rollout.revert-completed once").hasSize(1);
      int apiFailures =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(completed.get(0).value())
              .path("apiFailures")
              .asInt();
      assertThat(apiFailures).as("the refused attempts, in rollout.revert-completed").isPositive();
      String metrics =
          given()
              .baseUri(managementOf.get(base))
              .get("/q/metrics")
              .then()
              .statusCode(200)
              .extract()
              .asString();
      assertThat(metrics)
          .as("the refused attempts, in the metrics")
          .containsPattern(
              "patchops_rollout_outcomes_total\\{[^}]*outcome=\"revert_api_failure\"[^}]*\\} [1-9]");
    }
  }

  static Map<String, Object> view(String base, String id) {
    return given()
        .baseUri(base)
        .header("Authorization", sre())
        .get("/api/v1/rollouts/" + id)
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getMap("$");
  }

  static void assertEveryRolloutEventOnce(List<String> story) {
    for (EventType type :
        List.of(
            EventType.CHECKPOINT_RECORDED,
            EventType.CANARY_STEP_STARTED,
            EventType.ROLLOUT_PROMOTED,
            EventType.WATCH_WINDOW_PASSED)) {
      assertThat(count(story, type)).as("%s once in %s", type.type(), story).isEqualTo(1);
    }
  }
}
