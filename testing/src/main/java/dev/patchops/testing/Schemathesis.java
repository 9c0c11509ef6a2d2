package dev.patchops.testing;

import dev.patchops.devstack.DebianPackages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs <a href="https://schemathesis.io">schemathesis</a> against a running service's own OpenAPI
 * document with a token that holds every role, so generated requests get past authorization and
 * reach validation and the database. A response fails when it is a 5xx, when it names a Java class
 * or shows a stack frame (the check in {@code schemathesis_hooks.py}), or when it takes longer than
 * the request timeout.
 *
 * <p>schemathesis is a Python tool: it is installed once per version into a virtualenv under {@code
 * ~/.cache/patchops}, outside the repository, by whichever build needs it first.
 */
public final class Schemathesis {
  public static final String VERSION = "4.32.5";

  /** Generated cases per operation and phase; the README command uses the default. */
  public static final String EXAMPLES_PROPERTY = "fuzz.examples";

  static final int DEFAULT_EXAMPLES = 25;
  // A hang, not a slow answer: the build machine may have 2 cores shared by several builds.
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** What one run did: requests per "METHOD /path status", and what failed. */
  public record Outcome(
      int requests, Map<String, Integer> byStatus, List<String> failures, Path report) {}

  private Schemathesis() {}

  public static int examples() {
    return Integer.getInteger(EXAMPLES_PROPERTY, DEFAULT_EXAMPLES);
  }

  /**
   * @param baseUrl where the service listens, e.g. {@code http://localhost:8081}
   * @param roles every PatchOps role, all of which the token carries
   * @param excludedPaths paths not to fuzz (such as hooks that take no JWT)
   */
  public static Outcome run(
      String service, String baseUrl, List<String> roles, List<String> excludedPaths)
      throws IOException, InterruptedException {
    Path cli = install();
    Path work = Path.of("target", "schemathesis").toAbsolutePath();
    Files.createDirectories(work);
    Path hooks = work.resolve("schemathesis_hooks.py");
    try (InputStream in = Schemathesis.class.getResourceAsStream("schemathesis_hooks.py")) {
      Files.copy(in, hooks, StandardCopyOption.REPLACE_EXISTING);
    }
    Path log = work.resolve(service + "-requests.log");
    Path output = work.resolve(service + "-output.txt");
    Files.deleteIfExists(log);
    String token = TestInfra.issuer().mint("fuzz", roles, Duration.ofHours(2));
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            cli.toString(),
            "run",
            baseUrl + "/q/openapi",
            "--url",
            baseUrl,
            "--header",
            "Authorization: Bearer " + token,
            "--checks",
            "not_a_server_error,leaks_no_internals",
            "--max-examples",
            String.valueOf(examples()),
            // Not "examples": reading the document's few examples fails inside CPython 3.11's ast
            // module under schemathesis' threads ("AST constructor recursion depth mismatch").
            "--phases",
            "coverage,fuzzing",
            "--request-timeout",
            String.valueOf(REQUEST_TIMEOUT.toSeconds()),
            // One worker: CPython 3.11 keeps the ast module's recursion depth per interpreter, not
            // per thread, so two workers parsing at once (hypothesis describes its filters by
            // parsing their source) fail at random with "AST constructor recursion depth
            // mismatch" (python/cpython#106905), seen once in a ticket-service run.
            "--workers",
            "1",
            "--seed",
            Long.getLong("fuzz.seed", 18L).toString(),
            "--continue-on-failure",
            "--suppress-health-check",
            "all",
            "--output-truncate",
            "true",
            "--warnings",
            "off",
            "--no-color"));
    for (String path : excludedPaths) {
      command.add("--exclude-path");
      command.add(path);
    }
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(work.toFile()) // its .schemathesis cache lands in target/, not the module
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("SCHEMATHESIS_HOOKS", hooks.toString());
    builder.environment().put("PATCHOPS_FUZZ_LOG", log.toString());
    Process process = builder.start();
    // Generous: every request is bounded by the request timeout, this only guards the tool.
    if (!process.waitFor(Math.max(20, examples() / 2), TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("schemathesis did not finish; see " + output);
    }
    List<String> failures = new ArrayList<>();
    Map<String, Integer> byStatus = new TreeMap<>();
    int requests = 0;
    if (Files.exists(log)) {
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        String[] parts = line.split(" ");
        if (parts.length < 4) {
          continue;
        }
        requests++;
        byStatus.merge(parts[0] + " " + parts[1] + " " + parts[2], 1, Integer::sum);
      }
    }
    byStatus.forEach(
        (key, count) -> {
          if (key.matches(".* 5\\d\\d")) {
            failures.add(key + " x" + count);
          }
        });
    if (process.exitValue() != 0) {
      failures.add("schemathesis exited " + process.exitValue() + ":\n" + tail(output, 120));
    }
    return new Outcome(requests, byStatus, failures, output);
  }

  private static String tail(Path file, int lines) throws IOException {
    List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * The schemathesis command of {@link #VERSION}, installed into its own virtualenv when missing. A
   * file lock serializes the install between modules built in parallel.
   */
  static Path install() throws IOException, InterruptedException {
    String configured = System.getenv("PATCHOPS_CACHE");
    Path cache =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of(System.getProperty("user.home"), ".cache", "patchops");
    Path venv = cache.resolve("schemathesis-venv-" + VERSION);
    Path cli = venv.resolve("bin").resolve("schemathesis");
    Path ready = venv.resolve(".installed");
    if (Files.exists(ready)) {
      return cli;
    }
    Files.createDirectories(cache);
    try (FileChannel channel =
            FileChannel.open(
                cache.resolve("schemathesis-venv.lock"),
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      if (Files.exists(ready)) {
        return cli;
      }
      deleteTree(venv);
      try {
        exec(List.of(python(), "-m", "venv", venv.toString()), Duration.ofMinutes(5));
      } catch (IllegalStateException noVenv) {
        // Debian ships the venv module (and on a minimal machine python3 itself) apart.
        aptInstall("python3-venv", noVenv);
        deleteTree(venv);
        exec(List.of("/usr/bin/python3", "-m", "venv", venv.toString()), Duration.ofMinutes(5));
      }
      exec(
          List.of(
              venv.resolve("bin").resolve("pip").toString(),
              "install",
              "--quiet",
              "--disable-pip-version-check",
              "schemathesis==" + VERSION),
          Duration.ofMinutes(15));
      Files.writeString(ready, VERSION);
      return cli;
    }
  }

  /** Installs a Debian package, under the same lock as every other install of the build. */
  private static void aptInstall(String pkg, RuntimeException why) {
    try {
      DebianPackages.install(pkg, () -> DebianPackages.installed(pkg));
    } catch (IllegalStateException e) {
      throw new IllegalStateException(
          "schemathesis needs python3 with its venv module (Debian: "
              + pkg
              + "): "
              + why.getMessage()
              + "; "
              + e.getMessage(),
          e);
    }
  }

  private static String python() throws InterruptedException {
    for (String candidate : List.of("python3", "python")) {
      try {
        Process probe =
            new ProcessBuilder(candidate, "--version")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0) {
          return candidate;
        }
      } catch (IOException notThere) {
        // Try the next name.
      }
    }
    throw new IllegalStateException(
        "schemathesis needs python3 (with the venv module) on the PATH; none found");
  }

  private static void exec(List<String> command, Duration timeout)
      throws IOException, InterruptedException {
    Path output = Files.createTempFile("patchops-schemathesis-install", ".log");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process process = builder.start();
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "installing schemathesis: "
                + String.join(" ", command)
                + " exited "
                + process.exitValue()
                + ": "
                + tail(output, 5).replace('\n', ' '));
      }
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
