package dev.patchops.devstack;

import dev.patchops.contract.schema.KafkaAccess;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.SaslConfigs;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller), run as its own JVM from the
 * Maven artifacts of {@code kafka_2.13}. A separate process is what a deployment looks like, and it
 * is the only way to stop and restart the broker on the same port, which the outage tests need.
 *
 * <p>Clients authenticate with SCRAM-SHA-512 and are authorized by the StandardAuthorizer with no
 * access unless an ACL allows it: every PatchOps client ({@link KafkaAccess.Client}) gets a SCRAM
 * user when the storage is formatted and the ACLs {@link KafkaAccess} derives from the contract.
 * {@link #ADMIN} is the super user the harness and the local stack administer the broker with.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final String CLASSPATH_RESOURCE = "dev/patchops/devstack/kafka.classpath";

  /** The super user: the broker's own inter-broker and controller connections, and the harness. */
  public static final String ADMIN = "patchops-admin";

  private static final String CREDENTIALS = "credentials.properties";

  private final Path directory;
  private final int port;
  private final int controllerPort;
  private final int partitions;
  private ProcessHandle process;

  private KafkaBroker(Path directory, int port, int controllerPort, int partitions) {
    this.directory = directory;
    this.port = port;
    this.controllerPort = controllerPort;
    this.partitions = partitions;
  }

  /**
   * Formats a new single-node cluster under {@code directory} on free ports. Call {@link #start()}.
   */
  public static KafkaBroker create(Path directory, int defaultPartitions) {
    return create(directory, Ports.free(), Ports.free(), defaultPartitions);
  }

  public static KafkaBroker create(
      Path directory, int port, int controllerPort, int defaultPartitions) {
    KafkaBroker broker = new KafkaBroker(directory, port, controllerPort, defaultPartitions);
    broker.writeConfig();
    return broker;
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The SCRAM password of {@code user}: {@link #ADMIN} or a {@link KafkaAccess.Client} user. */
  public String password(String user) {
    String password = credentials().getProperty(user);
    if (password == null) {
      throw new IllegalArgumentException("the broker has no SCRAM user " + user);
    }
    return password;
  }

  /** The SCRAM users' passwords, {@code user=password}, readable by the owner only. */
  public Path credentialsFile() {
    return directory.resolve(CREDENTIALS);
  }

  /** What a Kafka client needs to connect as {@code user}: bootstrap servers and SASL settings. */
  public Map<String, Object> clientConfig(String user) {
    return clientConfig(bootstrapServers(), user, password(user));
  }

  public static Map<String, Object> clientConfig(
      String bootstrapServers, String user, String password) {
    Map<String, Object> config = new HashMap<>();
    config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    config.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
    config.put(SaslConfigs.SASL_MECHANISM, KafkaAccess.SASL_MECHANISM);
    config.put(SaslConfigs.SASL_JAAS_CONFIG, scramJaas(user, password));
    return config;
  }

  static String scramJaas(String user, String password) {
    return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
        + user
        + "\" password=\""
        + password
        + "\";";
  }

  public int port() {
    return port;
  }

  public Path directory() {
    return directory;
  }

  /**
   * A handle on a broker that another class loader or JVM started in {@code directory}, so tests
   * can stop and restart the broker their Quarkus test resource owns.
   */
  public static KafkaBroker attach(Path directory) {
    try {
      java.util.Properties props = new java.util.Properties();
      try (var reader = Files.newBufferedReader(directory.resolve("server.properties"))) {
        props.load(reader);
      }
      String voters = props.getProperty("controller.quorum.voters");
      String listeners = props.getProperty("advertised.listeners");
      KafkaBroker broker =
          new KafkaBroker(
              directory,
              Integer.parseInt(listeners.substring(listeners.lastIndexOf(':') + 1)),
              Integer.parseInt(voters.substring(voters.lastIndexOf(':') + 1)),
              Integer.parseInt(props.getProperty("num.partitions")));
      Path pidFile = directory.resolve("server.pid");
      if (Files.exists(pidFile)) {
        broker.process =
            ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()))
                .filter(ProcessHandle::isAlive)
                .orElse(null);
      }
      return broker;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /**
   * Starts the broker (formatting its storage the first time) and waits until it accepts clients.
   */
  public synchronized void start(Duration timeout) {
    if (isRunning()) {
      return;
    }
    try {
      boolean fresh = !Files.exists(directory.resolve("data/meta.properties"));
      if (fresh) {
        List<String> formatCommand =
            new ArrayList<>(
                List.of(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    clusterId(),
                    "-c",
                    config().toString()));
        // SCRAM credentials live in the metadata log: written at format time, before the first
        // start, so that the broker's own connections and every service can log in at once.
        Properties users = credentials();
        for (String user : users.stringPropertyNames().stream().sorted().toList()) {
          formatCommand.add("--add-scram");
          formatCommand.add(
              KafkaAccess.SASL_MECHANISM
                  + "=[name="
                  + user
                  + ",password="
                  + users.getProperty(user)
                  + "]");
        }
        Process format = launch(formatCommand, directory.resolve("format.log"));
        if (!format.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) || format.exitValue() != 0) {
          format.destroyForcibly();
          throw new IllegalStateException(
              "kafka storage format failed: " + tail(directory.resolve("format.log")));
        }
      }
      process =
          launch(List.of("kafka.Kafka", config().toString()), directory.resolve("broker.log"))
              .toHandle();
      Files.writeString(directory.resolve("server.pid"), Long.toString(process.pid()));
      waitUntilListening(timeout);
      // Every start, not only the first: ACLs the contract gained since the data was formatted
      // are added (creating an existing ACL changes nothing).
      grantContractAcls(timeout);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates the ACLs of every PatchOps client; they live in the metadata log. */
  private void grantContractAcls(Duration timeout) {
    Map<String, Object> config = clientConfig(ADMIN);
    config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
    try (Admin admin = Admin.create(config)) {
      admin.createAcls(KafkaAcls.bindings(KafkaAccess.grants())).all().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("cannot create the Kafka ACLs: " + e.getCause(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A clean shutdown, as a rolling restart or an operator would do it. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    process.destroy();
    if (!awaitExit(Duration.ofSeconds(30))) {
      process.destroyForcibly();
      awaitExit(Duration.ofSeconds(10));
    }
    process = null;
  }

  @Override
  public void close() {
    stop();
    Dirs.deleteRecursively(directory);
  }

  private boolean awaitExit(Duration timeout) {
    try {
      process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (java.util.concurrent.TimeoutException e) {
      return false;
    } catch (java.util.concurrent.ExecutionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private Process launch(List<String> mainAndArgs, Path log) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-Xms64m",
            "-Xmx384m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Xshare:auto",
            "-Djava.awt.headless=true",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-Dlog4j2.level=WARN",
            "-cp",
            classpath()));
    command.addAll(mainAndArgs);
    return new ProcessBuilder(command)
        .directory(directory.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  private void waitUntilListening(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kafka broker exited: " + tail(log()));
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(100);
      }
    }
    throw new IllegalStateException(
        "kafka broker not listening after " + timeout + "; see " + log());
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private Path log() {
    return directory.resolve("broker.log");
  }

  private Path config() {
    return directory.resolve("server.properties");
  }

  private Properties credentials() {
    Properties props = new Properties();
    try (var reader = Files.newBufferedReader(directory.resolve(CREDENTIALS))) {
      props.load(reader);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props;
  }

  /** A random password for the admin and for every client of the contract, kept beside the data. */
  private Properties newCredentials() throws IOException {
    Properties users = new Properties();
    users.setProperty(ADMIN, randomSecret());
    for (KafkaAccess.Client client : KafkaAccess.Client.values()) {
      users.setProperty(client.user(), randomSecret());
    }
    Path file = directory.resolve(CREDENTIALS);
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (var writer = Files.newBufferedWriter(file)) {
      users.store(writer, "SCRAM-SHA-512 users of this broker");
    }
    return users;
  }

  private static String randomSecret() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    // Letters, digits, '-' and '_' only: safe inside a JAAS string and the storage tool's syntax.
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void writeConfig() {
    String admin;
    try {
      Files.createDirectories(directory);
      if (Files.exists(directory.resolve("data/meta.properties"))
          && !Files.exists(directory.resolve(CREDENTIALS))) {
        throw new IllegalStateException(
            "the Kafka data in "
                + directory
                + " was formatted without SCRAM users; delete it (./patchops run --reset)");
      }
      // A broker re-created over formatted storage keeps the users it was formatted with.
      admin =
          (Files.exists(directory.resolve(CREDENTIALS)) ? credentials() : newCredentials())
              .getProperty(ADMIN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String config =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=SASL_PLAINTEXT://127.0.0.1:"
                + port
                + ",CONTROLLER://127.0.0.1:"
                + controllerPort,
            "advertised.listeners=SASL_PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=SASL_PLAINTEXT",
            "listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT",
            "sasl.enabled.mechanisms=" + KafkaAccess.SASL_MECHANISM,
            "sasl.mechanism.inter.broker.protocol=" + KafkaAccess.SASL_MECHANISM,
            "listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config="
                + scramJaas(ADMIN, admin),
            // SCRAM credentials are in the metadata log the controller serves, so the controller
            // listener cannot use them: PLAIN with the admin alone, from this file.
            "sasl.mechanism.controller.protocol=PLAIN",
            "listener.name.controller.sasl.enabled.mechanisms=PLAIN",
            "listener.name.controller.plain.sasl.jaas.config="
                + "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                + ADMIN
                + "\" password=\""
                + admin
                + "\" user_"
                + ADMIN
                + "=\""
                + admin
                + "\";",
            "authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer",
            "allow.everyone.if.no.acl.found=false",
            "super.users=User:" + ADMIN,
            "log.dirs=" + directory.resolve("data"),
            "num.partitions=" + partitions,
            "auto.create.topics.enable=false",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=5",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "log.segment.bytes=16777216",
            "");
    try {
      Files.createDirectories(directory);
      Files.writeString(config(), config, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A Kafka cluster id: 16 random bytes, base64url. Like Kafka's own generator, never one starting
   * with '-', which the storage tool would parse as an option.
   */
  static String clusterId() {
    SecureRandom random = new SecureRandom();
    while (true) {
      byte[] bytes = new byte[16];
      random.nextBytes(bytes);
      String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
      if (!id.startsWith("-")) {
        return id;
      }
    }
  }

  private static String classpath() {
    try (InputStream in =
        KafkaBroker.class.getClassLoader().getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            CLASSPATH_RESOURCE + " missing: build the devstack module with Maven first");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
