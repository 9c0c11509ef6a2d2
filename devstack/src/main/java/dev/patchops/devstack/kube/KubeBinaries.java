package dev.patchops.devstack.kube;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The control plane's binaries, built from Go modules and cached by version outside the repository.
 * No release of kube-apiserver can be downloaded here, and k8s.io/kubernetes cannot be {@code go
 * install}ed, so the wrapper modules under {@code src/main/go} pin every staging module to its
 * published tag and build the commands from there.
 *
 * <p>A cache entry counts only once its {@value #SUMS} file exists and every binary matches it: the
 * file is written last, so a build killed half-way, or a binary truncated later, is rebuilt.
 */
public final class KubeBinaries {
  public static final String KUBERNETES_VERSION = "v1.34.4";
  public static final String ETCD_VERSION = "v3.6.17";
  public static final String ALTERNATIVE =
      "set PATCHOPS_KUBECONFIG to the kubeconfig of an existing cluster to use it instead";
  static final String SUMS = "SHA256SUMS";
  static final List<String> KUBE_COMMANDS =
      List.of("kube-apiserver", "kube-controller-manager", "kube-scheduler");
  private static final List<String> GO_SOURCES = List.of("go.mod", "go.sum", "tools.go");

  private final Path directory;

  KubeBinaries(Path directory) {
    this.directory = directory;
  }

  /** Where built binaries are kept: {@code PATCHOPS_CACHE}, else the user's cache directory. */
  public static Path cacheRoot() {
    String own = System.getenv("PATCHOPS_CACHE");
    if (own != null && !own.isBlank()) {
      return Path.of(own);
    }
    String xdg = System.getenv("XDG_CACHE_HOME");
    // $HOME before Java's user.home (read from the password database), as Go and the shell do.
    String home = System.getenv().getOrDefault("HOME", System.getProperty("user.home"));
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(home, ".cache");
    return base.resolve("patchops");
  }

  /** The cached binaries, built first when missing or corrupt. Progress goes to {@code log}. */
  public static KubeBinaries ensure(Consumer<String> log) {
    Path directory =
        cacheRoot().resolve("kubernetes").resolve(KUBERNETES_VERSION + "-" + sourcesDigest());
    try {
      Files.createDirectories(directory.getParent());
      // Two JVMs (two Maven modules, a test and the launcher) must not build into one directory.
      try (FileChannel lockFile =
              FileChannel.open(
                  directory.getParent().resolve(directory.getFileName() + ".lock"),
                  StandardOpenOption.CREATE,
                  StandardOpenOption.WRITE);
          FileLock ignored = lockFile.lock()) {
        KubeBinaries binaries = new KubeBinaries(directory);
        Optional<String> problem = binaries.verify();
        if (problem.isEmpty()) {
          return binaries;
        }
        if (Files.exists(directory)) {
          log.accept(
              "Kubernetes binaries in "
                  + directory
                  + " are unusable ("
                  + problem.get()
                  + "): rebuilding");
        }
        binaries.build(log);
        return binaries;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path directory() {
    return directory;
  }

  public Path path(String command) {
    return directory.resolve("bin").resolve(command);
  }

  /** Why the entry cannot be used, or empty when every binary matches its recorded digest. */
  Optional<String> verify() {
    Path sums = directory.resolve(SUMS);
    if (!Files.isRegularFile(sums)) {
      return Optional.of("no " + SUMS + ": never built, or the build did not finish");
    }
    try {
      Map<String, String> expected = new LinkedHashMap<>();
      for (String line : Files.readAllLines(sums)) {
        String[] parts = line.trim().split("\\s+");
        if (parts.length == 2) {
          expected.put(parts[1], parts[0]);
        }
      }
      for (String command : commands()) {
        Path binary = path(command);
        if (!Files.isExecutable(binary)) {
          return Optional.of(command + " is missing");
        }
        if (!sha256(binary).equals(expected.get(command))) {
          return Optional.of(command + " does not match its recorded digest");
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.of(e.toString());
    }
  }

  static List<String> commands() {
    List<String> all = new ArrayList<>(KUBE_COMMANDS);
    all.add("etcd");
    return all;
  }

  private void build(Consumer<String> log) throws IOException {
    String go = findGo();
    Path work = directory.resolve("src");
    Path bin = directory.resolve("bin");
    Files.deleteIfExists(directory.resolve(SUMS));
    Files.createDirectories(bin);
    for (String module : List.of("kubernetes", "etcd")) {
      extract(module, work.resolve(module));
    }
    long started = System.nanoTime();
    log.accept(
        "building the Kubernetes control plane "
            + KUBERNETES_VERSION
            + " and etcd "
            + ETCD_VERSION
            + " from Go modules into "
            + directory
            + " (first time only; about 5 minutes on 2 cores)");
    String version = KUBERNETES_VERSION;
    String minor = version.split("\\.")[1];
    List<String> ldflags =
        List.of(
            "-s -w",
            "-X k8s.io/component-base/version.gitVersion=" + version,
            "-X k8s.io/component-base/version.gitMajor=1",
            "-X k8s.io/component-base/version.gitMinor=" + minor,
            "-X k8s.io/component-base/version.gitTreeState=clean",
            "-X k8s.io/client-go/pkg/version.gitVersion=" + version);
    List<String> kubePackages =
        KUBE_COMMANDS.stream().map(c -> "k8s.io/kubernetes/cmd/" + c).toList();
    run(
        go,
        work.resolve("kubernetes"),
        log,
        "kube-apiserver, controller manager, scheduler",
        List.of(
            "build",
            "-trimpath",
            "-ldflags",
            String.join(" ", ldflags),
            "-o",
            bin.toString() + "/"),
        kubePackages);
    run(
        go,
        work.resolve("etcd"),
        log,
        "etcd",
        List.of("build", "-trimpath", "-ldflags", "-s -w", "-o", bin.resolve("etcd").toString()),
        List.of("go.etcd.io/etcd/server/v3"));
    StringBuilder sums = new StringBuilder();
    for (String command : commands()) {
      sums.append(sha256(path(command))).append("  ").append(command).append('\n');
    }
    // Written last, through a rename: its presence is what marks the entry complete.
    Path partial = directory.resolve(SUMS + ".partial");
    Files.writeString(partial, sums);
    Files.move(partial, directory.resolve(SUMS), StandardCopyOption.ATOMIC_MOVE);
    log.accept(
        String.format(
            "built the control plane in %d s", (System.nanoTime() - started) / 1_000_000_000L));
  }

  /**
   * Runs one {@code go build -v}. Go names each package as it compiles it, so counting those
   * against {@code go list -deps} gives the progress the first build owes its user.
   */
  private static void run(
      String go,
      Path module,
      Consumer<String> log,
      String what,
      List<String> buildArgs,
      List<String> packages)
      throws IOException {
    log.accept("  " + what + ": resolving Go modules");
    List<String> list =
        new ArrayList<>(
            List.of(go, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}"));
    list.addAll(packages);
    ProcessResult deps = exec(module, list, line -> {});
    if (deps.exit != 0) {
      throw new BuildFailed(what + ": go list failed: " + deps.lastLines());
    }
    long total = deps.lines.stream().filter(l -> !l.isBlank()).count();
    List<String> command = new ArrayList<>(List.of(go));
    command.addAll(buildArgs.subList(0, 1));
    command.add("-v");
    command.addAll(buildArgs.subList(1, buildArgs.size()));
    command.addAll(packages);
    long[] done = {0};
    long[] lastReport = {System.nanoTime()};
    ProcessResult build =
        exec(
            module,
            command,
            line -> {
              if (!line.startsWith("#") && !line.contains(" ")) {
                done[0]++;
              }
              if (System.nanoTime() - lastReport[0] > 15_000_000_000L) {
                lastReport[0] = System.nanoTime();
                log.accept(
                    String.format(
                        "  %s: %d of about %d packages compiled",
                        what, Math.min(done[0], total), total));
              }
            });
    if (build.exit != 0) {
      throw new BuildFailed(what + ": go build failed: " + build.lastLines());
    }
    log.accept("  " + what + ": done");
  }

  private record ProcessResult(int exit, List<String> lines) {
    String lastLines() {
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }
  }

  private static ProcessResult exec(Path dir, List<String> command, Consumer<String> onLine)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().put("CGO_ENABLED", "0");
    // The wrapper modules commit their go.sum; nothing may be resolved differently at build time.
    builder.environment().put("GOFLAGS", "-mod=readonly -buildvcs=false");
    Process process = builder.start();
    List<String> lines = new ArrayList<>();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        lines.add(line);
        onLine.accept(line);
      }
      return new ProcessResult(process.waitFor(), lines);
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BuildFailed("interrupted");
    }
  }

  /** The go command: on the PATH, or where Go's own installer puts it. */
  static String findGo() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
        return Path.of(dir, "go").toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/local/go/bin/go"))) {
      return "/usr/local/go/bin/go";
    }
    throw new BuildFailed(
        "Go is needed to build the local Kubernetes control plane and was not"
            + " found on the PATH; install Go 1.24 or newer, or "
            + ALTERNATIVE);
  }

  private static void extract(String module, Path target) throws IOException {
    Files.createDirectories(target);
    for (String file : GO_SOURCES) {
      try (InputStream in = source(module, file)) {
        Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static InputStream source(String module, String file) {
    InputStream in =
        KubeBinaries.class.getResourceAsStream("/dev/patchops/devstack/go/" + module + "/" + file);
    if (in == null) {
      throw new IllegalStateException("missing build source " + module + "/" + file);
    }
    return in;
  }

  /**
   * A short digest of the wrapper modules: changing a pinned version, or the build flags they
   * carry, starts a new cache entry instead of reusing binaries of the old one.
   */
  static String sourcesDigest() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update((KUBERNETES_VERSION + ETCD_VERSION + "v1").getBytes(StandardCharsets.UTF_8));
      for (String module : List.of("kubernetes", "etcd")) {
        for (String file : GO_SOURCES) {
          try (InputStream in = source(module, file)) {
            digest.update(in.readAllBytes());
          }
        }
      }
      return HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 20];
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The one line a failed build leaves its user: what failed, and the way around it. */
  public static final class BuildFailed extends RuntimeException {
    public BuildFailed(String message) {
      super(message);
    }

    public String oneLine() {
      return "cannot build the local Kubernetes control plane: "
          + getMessage().replace('\n', ' ')
          + (getMessage().contains("PATCHOPS_KUBECONFIG") ? "" : "; or " + ALTERNATIVE);
    }
  }

  /** Builds (or verifies) the cache from the Maven build, so the tests find it ready. */
  public static void main(String[] args) {
    try {
      KubeBinaries binaries = ensure(line -> System.out.println("[control plane] " + line));
      System.out.println("[control plane] binaries ready in " + binaries.directory());
    } catch (BuildFailed e) {
      System.err.println(e.oneLine());
      System.exit(1);
    }
  }
}
