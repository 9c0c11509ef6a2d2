package dev.patchops.devstack;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller), run as its own JVM from the
 * Maven artifacts of {@code kafka_2.13}. A separate process is what a deployment looks like, and it
 * is the only way to stop and restart the broker on the same port, which the outage tests need.
 */
public final class KafkaBroker implements AutoCloseable {
  private static final String CLASSPATH_RESOURCE = "dev/patchops/devstack/kafka.classpath";

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
      if (!Files.exists(directory.resolve("data/meta.properties"))) {
        Process format =
            launch(
                List.of(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    clusterId(),
                    "-c",
                    config().toString()),
                directory.resolve("format.log"));
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
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  private void writeConfig() {
    String config =
        String.join(
            "\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
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
