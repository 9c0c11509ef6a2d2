package dev.patchops.testing.prometheus;

import dev.patchops.devstack.DebianPackages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's {@code prometheus} package, installed on first use) serving known
 * series: they are written as OpenMetrics, turned into TSDB blocks with {@code promtool tsdb
 * create-blocks-from openmetrics}, and the server starts on those blocks with no scrape target, so
 * what a test queries is exactly what it loaded. Timestamps must lie in the recent past (within the
 * default 15 days' retention).
 */
public final class RealPrometheus implements AutoCloseable {
  private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
  private static final Path PROMTOOL = Path.of("/usr/bin/promtool");

  private final Path dir;
  private final Process process;
  private final int port;

  private RealPrometheus(Path dir, Process process, int port) {
    this.dir = dir;
    this.process = process;
    this.port = port;
  }

  /** Loads {@code series} and starts Prometheus on them; ready to answer queries on return. */
  public static RealPrometheus start(OpenMetrics series) {
    requireBinaries();
    try {
      Path dir = Files.createTempDirectory("patchops-prometheus-");
      Path input = dir.resolve("series.om");
      Files.writeString(input, series.text());
      Path data = dir.resolve("data");
      run(
          dir,
          PROMTOOL.toString(),
          "tsdb",
          "create-blocks-from",
          "openmetrics",
          input.toString(),
          data.toString());
      Path config = dir.resolve("prometheus.yml");
      Files.writeString(config, "global:\n  evaluation_interval: 1m\nscrape_configs: []\n");
      int port = freePort();
      Process process =
          new ProcessBuilder(
                  PROMETHEUS.toString(),
                  "--config.file=" + config,
                  "--storage.tsdb.path=" + data,
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
      RealPrometheus p = new RealPrometheus(dir, process, port);
      p.awaitReady(Duration.ofSeconds(60));
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Stops the server: a Prometheus that is down, for the tests of exactly that. */
  public void stop() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind harms nothing
    }
  }

  private void awaitReady(Duration timeout) {
    Instant until = Instant.now().plus(timeout);
    while (Instant.now().isBefore(until)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("prometheus exited " + process.exitValue() + ": " + log());
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create(url() + "/-/ready").toURL().openConnection();
        c.setConnectTimeout(500);
        c.setReadTimeout(500);
        if (c.getResponseCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      try {
        Thread.sleep(100); // polling a condition, bounded by the timeout above
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for prometheus", e);
      }
    }
    stop();
    throw new IllegalStateException("prometheus not ready within " + timeout + ": " + log());
  }

  private String log() {
    try {
      String log = Files.readString(dir.resolve("prometheus.log"));
      return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static void run(Path dir, String... command) throws IOException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Debian's prometheus package, installed once per machine when missing. Installs are serialized
   * with a file lock under ~/.cache/patchops (apt's own lock is waited on as well).
   */
  static void requireBinaries() {
    DebianPackages.require(PROMETHEUS.toString(), "prometheus");
    DebianPackages.require(PROMTOOL.toString(), "prometheus");
  }

  /** Series to load, as OpenMetrics text: gauges only, every sample with its own timestamp. */
  public static final class OpenMetrics {
    private final Map<String, StringBuilder> families = new LinkedHashMap<>();

    /**
     * One series of gauge {@code name}: {@code values[i]} at {@code start + i * every}.
     *
     * @param labels label names and values, alternating
     */
    public OpenMetrics gauge(
        String name, Instant start, Duration every, double[] values, String... labels) {
      StringBuilder family =
          families.computeIfAbsent(name, n -> new StringBuilder("# TYPE " + n + " gauge\n"));
      StringBuilder l = new StringBuilder();
      for (int i = 0; i + 1 < labels.length; i += 2) {
        l.append(l.isEmpty() ? "{" : ",")
            .append(labels[i])
            .append("=\"")
            .append(labels[i + 1])
            .append('"');
      }
      if (!l.isEmpty()) {
        l.append('}');
      }
      for (int i = 0; i < values.length; i++) {
        Instant t = start.plus(every.multipliedBy(i));
        family
            .append(name)
            .append(l)
            .append(' ')
            .append(Double.isNaN(values[i]) ? "NaN" : String.format(Locale.ROOT, "%s", values[i]))
            .append(' ')
            .append(t.getEpochSecond())
            .append('\n');
      }
      return this;
    }

    public String text() {
      StringBuilder out = new StringBuilder();
      families.values().forEach(out::append);
      return out.append("# EOF\n").toString();
    }
  }
}
