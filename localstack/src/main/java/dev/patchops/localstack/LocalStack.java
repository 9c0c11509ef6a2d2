package dev.patchops.localstack;

import dev.patchops.contract.Topics;
import dev.patchops.devstack.AuditSigningKey;
import dev.patchops.devstack.JwtIssuer;
import dev.patchops.devstack.KafkaBroker;
import dev.patchops.devstack.Ports;
import dev.patchops.devstack.PostgresAdmin;
import dev.patchops.devstack.PostgresServer;
import dev.patchops.devstack.kube.ControlPlane;
import dev.patchops.devstack.kube.KubeBinaries;
import dev.patchops.sandbox.Kubeconfigs;
import dev.patchops.sandbox.Manifests;
import dev.patchops.sandbox.SandboxControl;
import dev.patchops.sandbox.SimulatedKubelet;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole suite on one machine, each part a real component: PostgreSQL and a KRaft Kafka broker
 * from Maven artifacts, a Kubernetes control plane built from source with the CRDs, the RBAC of
 * deploy/ and the simulated kubelet, and the four services as their own JVMs from their packaged
 * jars, configured the way deploy/ configures them: through the environment, in the production
 * profile.
 */
public final class LocalStack {
  static final List<String> SERVICES =
      List.of("ticket-service", "test-orchestrator", "rollout-service", "audit-service");
  static final String[] ROLES = {"reporter", "engineer", "approver", "sre", "auditor", "admin"};

  private final Path repo;
  private final Path home;
  private final int basePort;
  private final Map<String, String> env;
  private final Map<String, Process> services = new LinkedHashMap<>();
  private final Map<String, Map<String, String>> serviceEnv = new HashMap<>();
  private Keys keys;
  private PostgresServer postgres;
  private PostgresAdmin database;
  private KafkaBroker kafka;
  private String kafkaBootstrap;
  private java.util.Properties kafkaPasswords;
  private KubeBinaries binaries;
  private ControlPlane plane;
  private KubernetesClient client;
  private SimulatedKubelet kubelet;
  private SandboxControl control;
  private Path externalKubeconfig;

  /**
   * @param env where the documented variables are read from: the process environment for {@code
   *     ./patchops run}, a map of its own for a test
   */
  LocalStack(Path repo, Path home, int basePort, Map<String, String> env) {
    this.repo = repo;
    this.home = home;
    this.basePort = basePort;
    this.env = env;
    serviceEnv
        .computeIfAbsent("rollout-service", s -> new HashMap<>())
        // Fifteen minutes of watch window is right for production and too long to watch on a
        // laptop; the sandbox's canary steps are set per revision anyway.
        .put("ROLLOUT_WATCH_WINDOW", env.getOrDefault("PATCHOPS_WATCH_WINDOW", "20s"));
  }

  /** Extra environment for one service, on top of what the stack sets (tests tune timings). */
  LocalStack withServiceEnv(String service, Map<String, String> extra) {
    serviceEnv.computeIfAbsent(service, s -> new HashMap<>()).putAll(extra);
    return this;
  }

  public static void main(String[] args) throws Exception {
    if (Runtime.version().feature() < 17) {
      System.err.println("patchops: Java 17 or newer is needed, this is " + Runtime.version());
      System.exit(2);
    }
    Path repo = Path.of(System.getProperty("patchops.repo", ".")).toAbsolutePath().normalize();
    Path home =
        Path.of(System.getenv().getOrDefault("PATCHOPS_HOME", repo.resolve(".local").toString()));
    int basePort = Integer.parseInt(System.getenv().getOrDefault("PATCHOPS_PORT_BASE", "8081"));
    if (List.of(args).contains("--reset")) {
      deleteTree(home);
      System.out.println("reset: " + home + " deleted");
    }
    LocalStack stack = new LocalStack(repo, home, basePort, System.getenv());
    Runtime.getRuntime().addShutdownHook(new Thread(stack::stop, "patchops-stop"));
    try {
      stack.start();
    } catch (StackException e) {
      System.err.println("patchops: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println(
          "patchops: could not start: " + e + " (service logs in " + home.resolve("logs") + ")");
      System.exit(2);
    }
    Thread.currentThread().join();
  }

  /** A reason to stop that the user can act on: said in one line, without a stack trace. */
  static final class StackException extends RuntimeException {
    StackException(String message) {
      super(message);
    }
  }

  static void fail(String message) {
    throw new StackException(message);
  }

  /** The port layout from a base port: the services in order, the API server, the switches. */
  static int port(int basePort, String service) {
    return basePort + SERVICES.indexOf(service);
  }

  /** Health and metrics: the packaged services serve them apart from the REST API. */
  static int managementPort(int basePort, String service) {
    return basePort + 10 + SERVICES.indexOf(service);
  }

  int managementPort(String service) {
    return managementPort(basePort, service);
  }

  static int controlPort(int basePort) {
    return basePort + SERVICES.size() + 1;
  }

  int port(String service) {
    return port(basePort, service);
  }

  int kubePort() {
    return basePort + SERVICES.size();
  }

  int controlPort() {
    return controlPort(basePort);
  }

  String controlUrl() {
    return "http://127.0.0.1:" + controlPort();
  }

  /** The sandbox API, for tests that look at what the services did to the cluster. */
  KubernetesClient kubernetes() {
    return client;
  }

  String kafkaBootstrapServers() {
    return kafkaBootstrap;
  }

  /** Client settings that log in to the stack's broker as {@code user} (SCRAM-SHA-512). */
  Map<String, Object> kafkaClientConfig(String user) {
    String password = kafkaPasswords.getProperty(user);
    if (password == null) {
      fail("Kafka: no password for the SCRAM user " + user);
    }
    return KafkaBroker.clientConfig(kafkaBootstrap, user, password);
  }

  /** For tests: a ticket-service base URL. */
  String url(String service) {
    return "http://127.0.0.1:" + port(service);
  }

  /** For tests: where a service's health and metrics are. */
  String managementUrl(String service) {
    return "http://127.0.0.1:" + managementPort(service);
  }

  private volatile boolean stopping;
  private boolean starting;

  /**
   * Starts everything, or stops with a {@link StackException}. A Ctrl-C while it runs makes it give
   * up at its next step, and {@link #stop} waits for that, so nothing it started is left behind.
   */
  void start() throws Exception {
    synchronized (this) {
      if (stopping) {
        fail("stopped");
      }
      starting = true;
    }
    try {
      startAll();
    } finally {
      synchronized (this) {
        starting = false;
        notifyAll();
      }
    }
  }

  private void checkStopping() {
    if (stopping) {
      fail("stopped before it was up");
    }
  }

  private void startAll() throws Exception {
    long started = System.nanoTime();
    for (String service : SERVICES) {
      requireFree(port(service), service);
      requireFree(managementPort(service), service + " (health and metrics)");
      Path jar = jar(service);
      if (!Files.exists(jar)) {
        fail(jar + " is missing: build first with ./mvnw -B package -DskipTests");
      }
    }
    // Opt-in by a variable of its own: a KUBECONFIG exported for daily work must not turn the
    // sandbox into someone's real cluster.
    String kubeconfigVar = env.get("PATCHOPS_KUBECONFIG");
    if (kubeconfigVar != null && !kubeconfigVar.isBlank()) {
      externalKubeconfig = Path.of(kubeconfigVar).toAbsolutePath();
      if (!Files.isReadable(externalKubeconfig)) {
        fail("PATCHOPS_KUBECONFIG names " + externalKubeconfig + ", which cannot be read");
      }
      step("nothing for Kubernetes: using the cluster of " + externalKubeconfig);
      try {
        client =
            new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(
                    io.fabric8.kubernetes.client.Config.fromKubeconfig(
                        null, Files.readString(externalKubeconfig), externalKubeconfig.toString()))
                .build();
      } catch (RuntimeException e) {
        fail(
            "PATCHOPS_KUBECONFIG: "
                + externalKubeconfig
                + " is not a usable kubeconfig: "
                + e.getMessage());
      }
      checkCluster();
    } else {
      if (env.get("KUBECONFIG") != null) {
        System.out.println(
            "KUBECONFIG is set and not used: the sandbox runs instead. To use that cluster, set"
                + " PATCHOPS_KUBECONFIG.");
      }
      requireFree(kubePort(), "the local Kubernetes API server");
      requireFree(controlPort(), "the sandbox's failure controls");
      // Before anything is started: a missing Go or a failed build stops the run with one line.
      try {
        binaries = KubeBinaries.ensure(line -> System.out.println("  " + line));
      } catch (KubeBinaries.BuildFailed e) {
        fail(e.oneLine());
      }
    }
    Files.createDirectories(home.resolve("keys"));
    Files.createDirectories(home.resolve("logs"));
    keys = Keys.loadOrCreate(home.resolve("keys"));

    String postgresUrl = env.get("PATCHOPS_POSTGRES_URL");
    if (postgresUrl != null && !postgresUrl.isBlank()) {
      step("nothing for PostgreSQL: using " + postgresUrl);
      try {
        database =
            new PostgresAdmin(
                postgresUrl,
                env.getOrDefault("PATCHOPS_POSTGRES_USER", "postgres"),
                env.getOrDefault("PATCHOPS_POSTGRES_PASSWORD", ""));
      } catch (IllegalArgumentException e) {
        fail("PATCHOPS_POSTGRES_URL: " + e.getMessage());
      }
    } else {
      step("PostgreSQL (data in " + home.resolve("postgres") + ")");
      postgres = PostgresServer.start(home.resolve("postgres"), true);
      database = postgres.admin();
    }
    try {
      for (String service : SERVICES) {
        database.createDatabase(database(service));
      }
      database.createLoginRole("audit_app", keys.auditDbPassword);
    } catch (IllegalStateException e) {
      fail("PostgreSQL: " + e.getMessage());
    }

    checkStopping();
    String kafkaVar = env.get("PATCHOPS_KAFKA_BOOTSTRAP_SERVERS");
    if (kafkaVar != null && !kafkaVar.isBlank()) {
      step("nothing for Kafka: using " + kafkaVar);
      kafkaBootstrap = kafkaVar;
      // Its SCRAM users: the admin that creates the topics, and one per service (KafkaAccess).
      String credentials = env.get("PATCHOPS_KAFKA_CREDENTIALS");
      if (credentials == null || credentials.isBlank()) {
        fail(
            "PATCHOPS_KAFKA_CREDENTIALS must name a properties file of user=password for "
                + KafkaBroker.ADMIN
                + " and every service, when PATCHOPS_KAFKA_BOOTSTRAP_SERVERS is set");
      }
      kafkaPasswords = new java.util.Properties();
      try (var reader = java.nio.file.Files.newBufferedReader(Path.of(credentials))) {
        kafkaPasswords.load(reader);
      } catch (java.io.IOException e) {
        fail("PATCHOPS_KAFKA_CREDENTIALS: cannot read " + credentials + ": " + e.getMessage());
      }
    } else {
      step("Kafka (KRaft, data in " + home.resolve("kafka") + ")");
      kafka = KafkaBroker.create(home.resolve("kafka"), Ports.free(), Ports.free(), 3);
      kafka.start(Duration.ofSeconds(120));
      kafkaBootstrap = kafka.bootstrapServers();
      kafkaPasswords = new java.util.Properties();
      kafkaPasswords.setProperty(KafkaBroker.ADMIN, kafka.password(KafkaBroker.ADMIN));
      for (String service : SERVICES) {
        kafkaPasswords.setProperty(service, kafka.password(service));
      }
    }
    createTopics();

    if (externalKubeconfig == null) {
      startControlPlane();
    }

    for (String service : SERVICES) {
      checkStopping();
      step(service + " on :" + port(service));
      services.put(service, launch(service));
    }
    for (String service : SERVICES) {
      awaitReady(service);
    }
    JwtIssuer issuer = keys.jwt;
    System.out.println();
    System.out.printf("PatchOps is up in %.1f s.%n%n", (System.nanoTime() - started) / 1e9);
    for (String service : SERVICES) {
      System.out.printf("  %-18s http://127.0.0.1:%d/q/swagger-ui%n", service, port(service));
    }
    System.out.printf(
        "  change record      http://127.0.0.1:%d/api/v1/tickets/<ticket>/change-record?format=html%n",
        port("audit-service"));
    System.out.println("  Kafka bootstrap    " + kafkaBootstrap);
    if (externalKubeconfig == null) {
      System.out.println("  Kubernetes API     " + plane.serverUrl());
      System.out.println("  sandbox faults     " + controlUrl() + "/faults");
    } else {
      System.out.println("  cluster            " + externalKubeconfig);
    }
    System.out.println("  logs               " + home.resolve("logs"));
    System.out.println();
    System.out.println("Tokens (12 h), one per role:");
    Map<String, String> tokens = new LinkedHashMap<>();
    for (String role : ROLES) {
      String token = issuer.mint(role + "-user", List.of(role), Duration.ofHours(12));
      tokens.put(role, token);
      System.out.println("  " + role + ": " + token);
    }
    ControlPlane.writePrivate(
        home.resolve("tokens.env"),
        tokens.entrySet().stream()
                .map(e -> "PATCHOPS_TOKEN_" + e.getKey().toUpperCase() + "=" + e.getValue())
                .reduce("", (a, b) -> a + b + "\n")
            + "PATCHOPS_HOOK_TOKEN="
            + keys.hookToken
            + "\n");
    System.out.println("  Alertmanager hook token: " + keys.hookToken);
    System.out.println();
    System.out.println("Try an alert (it opens a ticket):");
    System.out.println(
        "  curl -H \"Authorization: Bearer $PATCHOPS_HOOK_TOKEN\" -H 'Content-Type: application/json'"
            + " http://127.0.0.1:"
            + port("ticket-service")
            + "/hooks/alertmanager -d @docs/examples/alertmanager.json");
    System.out.println("  (tokens are in " + home.resolve("tokens.env") + ": source it first)");
    if (externalKubeconfig == null) {
      System.out.println("Or watch the whole story, in another terminal: ./patchops demo");
    }
    if (externalKubeconfig == null) {
      System.out.println("As a platform engineer, with kubectl:");
      System.out.println("  export KUBECONFIG=" + home.resolve("kubeconfig"));
      System.out.println("  kubectl get patchrollouts,patchtests -A");
    }
    System.out.println("Ctrl-C stops everything.");
  }

  private Map<String, Object> adminConfig() {
    Map<String, Object> config = kafkaClientConfig(KafkaBroker.ADMIN);
    config.put(
        org.apache.kafka.clients.admin.AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
    return config;
  }

  private void createTopics() throws Exception {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(adminConfig())) {
      var existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      var missing =
          Topics.ALL.stream()
              .filter(t -> !existing.contains(t))
              // The cluster's default replication factor: one broker here, three in a real one.
              .map(
                  t ->
                      new org.apache.kafka.clients.admin.NewTopic(
                          t, java.util.Optional.of(3), java.util.Optional.empty()))
              .toList();
      if (!missing.isEmpty()) {
        admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      fail("Kafka at " + kafkaBootstrap + " did not answer within 60 s");
    } catch (java.util.concurrent.ExecutionException e) {
      fail("Kafka at " + kafkaBootstrap + ": " + e.getCause().getMessage());
    }
  }

  /**
   * The local control plane: built from Go modules on the first run (cached outside the
   * repository), its data kept in the home directory, so a second run finds the cluster as it was.
   */
  private void startControlPlane() throws Exception {
    checkStopping();
    step(
        "Kubernetes "
            + KubeBinaries.KUBERNETES_VERSION
            + " control plane on :"
            + kubePort()
            + " (data in "
            + home.resolve("kube")
            + ")");
    plane =
        ControlPlane.start(
            home.resolve("kube"), binaries, kubePort(), Duration.ofSeconds(120), line -> {});
    client = Kubeconfigs.client(plane.kubeconfig());
    Manifests.install(client, repo.resolve("deploy/kubernetes"));
    step("simulated kubelet for nodes " + String.join(", ", SimulatedKubelet.NODES));
    kubelet = new SimulatedKubelet(client).start();
    Sandbox.seedShop(client);
    // The shop is a namespace PatchOps manages: bound as docs/deploy.md tells a user to.
    Manifests.manage(client, Sandbox.NAMESPACE);
    ControlPlane.writePrivate(home.resolve("kubeconfig"), Files.readString(plane.kubeconfig()));
    control = SandboxControl.start(controlPort(), kubelet);
  }

  /**
   * What a service authenticates as on the local control plane: its own ServiceAccount from
   * deploy/, so the RBAC there is what the real authorizer enforces. Services without one (they do
   * not touch Kubernetes) get no credentials at all.
   */
  private String serviceToken(String service) {
    if (client.serviceAccounts().inNamespace(namespace()).withName(service).get() == null) {
      return null;
    }
    return client
        .serviceAccounts()
        .inNamespace(namespace())
        .withName(service)
        .tokenRequest(
            new TokenRequestBuilder()
                .withNewSpec()
                .withExpirationSeconds(TOKEN_LIFETIME.toSeconds())
                .endSpec()
                .build())
        .getStatus()
        .getToken();
  }

  private static final Duration TOKEN_LIFETIME = Duration.ofDays(7);

  static final List<String> CRDS = List.of("patchtests.patchops.dev", "patchrollouts.patchops.dev");

  /** A real cluster must have been prepared as docs/deploy.md says; the stack changes nothing. */
  private void checkCluster() {
    try {
      for (String crd : CRDS) {
        if (client.apiextensions().v1().customResourceDefinitions().withName(crd).get() == null) {
          fail(
              "the cluster has no CRD "
                  + crd
                  + ": install them first with kubectl apply -k deploy/kubernetes/crds");
        }
      }
      if (client.namespaces().withName(namespace()).get() == null) {
        fail(
            "the cluster has no namespace "
                + namespace()
                + " (for the leader lease and test resources): create it or set PATCHOPS_NAMESPACE");
      }
    } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
      fail(
          "the cluster of " + externalKubeconfig + " refused or did not answer: " + e.getMessage());
    }
  }

  String namespace() {
    return env.getOrDefault("PATCHOPS_NAMESPACE", "patchops");
  }

  /** SIGKILL, as the kernel's OOM killer or a node loss would: no shutdown hook runs. */
  int kill(String service) throws InterruptedException {
    Process process = services.get(service);
    process.destroyForcibly();
    return process.waitFor();
  }

  /** Whether the service's process is alive. */
  boolean running(String service) {
    Process process = services.get(service);
    return process != null && process.isAlive();
  }

  /** Waits for a service to exit on its own (a crash), and returns its exit code. */
  int awaitExit(String service, java.time.Duration within) throws InterruptedException {
    Process process = services.get(service);
    if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      fail(service + " still runs after " + within.toSeconds() + " s");
    }
    return process.exitValue();
  }

  void restart(String service) throws Exception {
    Process old = services.get(service);
    if (old != null && old.isAlive()) {
      fail(service + " is still running");
    }
    services.put(service, launch(service));
    awaitReady(service);
  }

  /**
   * Sized for a laptop running the whole suite, not for throughput: a small heap, C1 only (no C2
   * compiler threads or its code cache), bounded metaspace and direct buffers. Each service stays
   * under 300 MB RSS after the demo; docs/benchmarks.md has the figures.
   */
  static final List<String> SERVICE_JVM =
      List.of(
          "-Xms32m",
          "-Xmx128m",
          "-Xss512k",
          "-XX:+UseSerialGC",
          // The heap gives back what a burst took instead of keeping it.
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-XX:TieredStopAtLevel=1",
          "-XX:ReservedCodeCacheSize=32m",
          "-XX:MaxMetaspaceSize=160m",
          "-XX:MaxDirectMemorySize=64m");

  Process launch(String service) throws IOException {
    return launch(service, port(service), managementPort(service), service + ".log");
  }

  /**
   * For tests: a second replica of a service, on ports of its own, with its own log and the same
   * database, broker, cluster and environment as the first (including what {@link #withServiceEnv}
   * added). The caller stops it; {@link #stop} kills it if left running.
   */
  Process launchReplica(String service, int port, int managementPort, String log)
      throws IOException, InterruptedException {
    Process replica = launch(service, port, managementPort, log);
    replicas.add(replica);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!replica.isAlive()) {
        fail(service + " replica exited with " + replica.exitValue() + "; see " + log);
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready")
                    .toURL()
                    .openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        if (c.getResponseCode() == 200) {
          return replica;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    fail(service + " replica not ready within 180 s; see " + log);
    return replica;
  }

  private final List<Process> replicas = new ArrayList<>();

  private Process launch(String service, int port, int managementPort, String log)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String jvm = env.get("PATCHOPS_SERVICE_JVM_OPTS");
    command.addAll(jvm == null || jvm.isBlank() ? SERVICE_JVM : List.of(jvm.trim().split("\\s+")));
    command.add("-Dquarkus.http.port=" + port);
    // As in the sandbox tests: nothing but loopback is reachable from outside.
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.management.port=" + managementPort);
    command.add("-Dquarkus.management.host=127.0.0.1");
    // Off in production; on a laptop the interactive API page is the quickest way in.
    command.add("-Dquarkus.swagger-ui.enabled=true");
    if (externalKubeconfig == null) {
      command.add("-Dquarkus.kubernetes-client.api-server-url=" + plane.serverUrl());
      command.add(
          "-Dquarkus.kubernetes-client.ca-cert-data="
              + Base64.getEncoder()
                  .encodeToString(plane.caPem().getBytes(java.nio.charset.StandardCharsets.UTF_8)));

      // A ~/.kube/config (and its exec plugins) stays unread.
      command.add("-Dkubernetes.auth.tryKubeConfig=false");
    }
    command.add("-Dquarkus.kubernetes-client.namespace=" + namespace());
    command.add("-jar");
    command.add(jar(service).toString());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(home.resolve("logs").resolve(log).toFile()));
    Map<String, String> env = pb.environment();
    env.put("PATCHOPS_DB_URL", database.jdbcUrl(database(service)));
    env.put("PATCHOPS_DB_USER", database.user());
    env.put("PATCHOPS_DB_PASSWORD", database.password());
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrap);
    // Each service logs in as its own KafkaUser, as in deploy/: the broker's ACLs apply.
    env.put("PATCHOPS_KAFKA_USER", service);
    env.put("PATCHOPS_KAFKA_PASSWORD", kafkaPasswords.getProperty(service));
    env.put(
        "PATCHOPS_JWT_PUBLIC_KEY_LOCATION", home.resolve("keys/jwt-public.pem").toUri().toString());
    env.put("PATCHOPS_NAMESPACE", namespace());
    if (externalKubeconfig != null) {
      env.put("KUBECONFIG", externalKubeconfig.toString());
    } else {
      env.remove("KUBECONFIG");
      // In the environment, not on the command line: ps shows every user the command line.
      String token = serviceToken(service);
      if (token != null) {
        env.put("QUARKUS_KUBERNETES_CLIENT_TOKEN", token);
      }
    }
    switch (service) {
      case "ticket-service" -> env.put("TICKET_HOOKS_ALERTMANAGER_TOKEN", keys.hookToken);
      // Only the namespaces named may be mirrored: the seeded shop, unless told otherwise.
      case "test-orchestrator" ->
          env.put(
              "ORCHESTRATOR_MIRROR_SOURCE_NAMESPACES",
              this.env.getOrDefault("PATCHOPS_MIRROR_SOURCE_NAMESPACES", Sandbox.NAMESPACE));
      case "rollout-service" -> {
        env.put("PATCHOPS_ROLLOUT_CHECKPOINT_KEY", keys.checkpointKey);
        // Rollouts may go to the seeded shop only, unless told otherwise.
        env.put(
            "PATCHOPS_ROLLOUT_TARGET_NAMESPACES",
            this.env.getOrDefault("PATCHOPS_ROLLOUT_TARGET_NAMESPACES", Sandbox.NAMESPACE));
      }
      case "audit-service" -> {
        // The audit-service runs as a role that can only append; Flyway migrates as the owner.
        env.put("PATCHOPS_DB_USER", "audit_app");
        env.put("PATCHOPS_DB_PASSWORD", keys.auditDbPassword);
        env.put("PATCHOPS_DB_MIGRATION_USER", database.user());
        env.put("PATCHOPS_DB_MIGRATION_PASSWORD", database.password());
        env.put("PATCHOPS_AUDIT_SIGNING_PRIVATE_KEY", keys.audit.privateKeyPem());
        env.put("PATCHOPS_AUDIT_SIGNING_PUBLIC_KEY", keys.audit.publicKeyPem());
      }
      default -> {}
    }
    env.putAll(serviceEnv.getOrDefault(service, Map.of()));
    return pb.start();
  }

  void awaitReady(String service) throws InterruptedException {
    Process process = services.get(service);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      checkStopping();
      if (!process.isAlive()) {
        fail(
            service
                + " exited with "
                + process.exitValue()
                + "; see "
                + home.resolve("logs").resolve(service + ".log"));
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection)
                URI.create("http://127.0.0.1:" + managementPort(service) + "/q/health/ready")
                    .toURL()
                    .openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(2000);
        if (c.getResponseCode() == 200) {
          System.out.println("  " + service + " ready");
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(300);
    }
    fail(
        service + " not ready within 180 s; see " + home.resolve("logs").resolve(service + ".log"));
  }

  /** Services first (they flush and commit their offsets), then what they depend on. */
  synchronized void stop() {
    stopping = true;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (starting && System.nanoTime() < deadline) {
      try {
        wait(500);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    replicas.forEach(Process::destroyForcibly);
    for (Process p : services.values()) {
      p.destroy();
    }
    for (Process p : services.values()) {
      try {
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
      }
    }
    services.clear();
    if (control != null) {
      control.close();
      control = null;
    }
    if (kubelet != null) {
      kubelet.close();
      kubelet = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
    if (plane != null) {
      plane.close();
      plane = null;
    }
    if (kafka != null) {
      kafka.stop();
      kafka = null;
    }
    if (postgres != null) {
      postgres.close();
      postgres = null;
    }
  }

  /**
   * For the outage tests: the stack's own broker stopped cleanly, as a rolling restart does, and
   * started again on its data and ports by {@link #startKafka}. Not for an external broker.
   */
  void stopKafka() {
    ownKafka().stop();
  }

  void startKafka() {
    ownKafka().start(Duration.ofSeconds(120));
  }

  private KafkaBroker ownKafka() {
    if (kafka == null) {
      fail("the stack runs no broker of its own (PATCHOPS_KAFKA_BOOTSTRAP_SERVERS is set)");
    }
    return kafka;
  }

  /** For the outage tests: the stack's own PostgreSQL restarted under the services. */
  void restartPostgres() {
    if (postgres == null) {
      fail("the stack runs no PostgreSQL of its own (PATCHOPS_POSTGRES_URL is set)");
    }
    postgres.restart();
  }

  Path jar(String service) {
    return repo.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
  }

  static String database(String service) {
    return service.replace("-service", "").replace('-', '_');
  }

  /**
   * A connection to a service's own database as its administrator: the end-to-end tests read the
   * outbox there to know what a service has published.
   */
  public java.sql.Connection databaseConnection(String service) throws java.sql.SQLException {
    return java.sql.DriverManager.getConnection(
        database.jdbcUrl(database(service)), database.user(), database.password());
  }

  static void step(String what) {
    System.out.println("starting " + what);
  }

  static void requireFree(int port, String forWhat) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
    } catch (IOException e) {
      fail("port " + port + " (for " + forWhat + ") is taken; free it or set PATCHOPS_PORT_BASE");
    }
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Generated once and kept in the home directory, so a second run keeps its data readable. */
  static final class Keys {
    JwtIssuer jwt;
    AuditSigningKey audit;
    String checkpointKey;
    String hookToken;
    String auditDbPassword;

    static Keys loadOrCreate(Path dir) throws IOException {
      Keys k = new Keys();
      Path priv = dir.resolve("jwt-private.pem");
      Path pub = dir.resolve("jwt-public.pem");
      if (Files.exists(priv) && Files.exists(pub)) {
        k.jwt = JwtIssuer.load(priv, pub);
      } else {
        k.jwt = JwtIssuer.generate();
        k.jwt.save(priv, pub);
      }
      k.audit =
          AuditSigningKey.loadOrGenerate(
              dir.resolve("audit-private.pem"), dir.resolve("audit-public.pem"));
      k.checkpointKey = secret(dir.resolve("checkpoint.key"), 32);
      k.hookToken = secret(dir.resolve("alertmanager.token"), 24);
      k.auditDbPassword = secret(dir.resolve("audit-db.password"), 18).replace("'", "");
      return k;
    }

    static String secret(Path file, int bytes) throws IOException {
      if (Files.exists(file)) {
        return Files.readString(file).strip();
      }
      byte[] raw = new byte[bytes];
      new SecureRandom().nextBytes(raw);
      String value = Base64.getEncoder().encodeToString(raw);
      Files.writeString(file, value);
      return value;
    }
  }
}
