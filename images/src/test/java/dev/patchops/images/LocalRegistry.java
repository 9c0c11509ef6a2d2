package dev.patchops.images;

import dev.patchops.devstack.DebianPackages;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/** Debian's docker-registry (distribution 2.8) on loopback, storing in a temporary directory. */
final class LocalRegistry implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;

  private LocalRegistry(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static LocalRegistry start(Path dir) throws Exception {
    Path binary = DebianPackages.require("/usr/bin/docker-registry", "docker-registry");
    int port = freePort();
    Path storage = Files.createDirectories(dir.resolve("storage"));
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        String.join(
            "\n",
            "version: 0.1",
            "log:",
            "  level: warn",
            "storage:",
            "  filesystem:",
            "    rootdirectory: " + storage,
            "http:",
            "  addr: 127.0.0.1:" + port,
            ""));
    Path log = dir.resolve("registry.log");
    Process process =
        new ProcessBuilder(binary.toString(), "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    LocalRegistry registry = new LocalRegistry(process, port, log);
    registry.awaitUp(Duration.ofSeconds(30));
    return registry;
  }

  String host() {
    return "127.0.0.1:" + port;
  }

  private void awaitUp(Duration limit) throws Exception {
    Instant deadline = Instant.now().plus(limit);
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "docker-registry exited " + process.exitValue() + ": " + Files.readString(log));
      }
      try {
        HttpURLConnection connection =
            (HttpURLConnection) URI.create("http://" + host() + "/v2/").toURL().openConnection();
        connection.setConnectTimeout(500);
        if (connection.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // the registry binds shortly after it starts
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("docker-registry not up within " + limit);
      }
      // waits on the registry's exit, at most 100 ms, before the next probe
      process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
