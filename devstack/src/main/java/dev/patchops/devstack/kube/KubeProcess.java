package dev.patchops.devstack.kube;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One part of the control plane, run under a small shell watchdog. The watchdog ends the part when
 * the JVM that started it is gone, even by SIGKILL, which no shutdown hook can cover; a {@code
 * server.pid} beside its log also lets the next start, or the devstack's reaper, find it.
 */
final class KubeProcess {
  static final String MARKER = "patchops-kube-watchdog";
  private static final String OWNER_FILE = "owner.pid";
  // Ctrl-C reaches every process of the terminal's group: the watchdog ignores it, so the parts
  // stop in the order the JVM stops them. The TERM trap is set before the child exists, so a stop
  // that comes at once still ends the child.
  private static final String WATCHDOG =
      "owner=$1; shift; child=; trap '' INT; "
          + "trap '[ -n \"$child\" ] && kill $child 2>/dev/null; wait; exit 0' TERM; "
          + "\"$@\" & child=$!; echo $child > server.pid; "
          + "while kill -0 $owner 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1 & wait $!; done; "
          + "kill $child 2>/dev/null; wait $child";

  private final Path directory;
  private final Process watchdog;

  private KubeProcess(Path directory, Process watchdog) {
    this.directory = directory;
    this.watchdog = watchdog;
  }

  static KubeProcess start(Path directory, List<String> command) {
    try {
      Files.createDirectories(directory);
      Files.deleteIfExists(directory.resolve("server.pid"));
      Files.writeString(
          directory.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      List<String> full =
          new ArrayList<>(
              List.of(
                  "/bin/sh", "-c", WATCHDOG, MARKER, Long.toString(ProcessHandle.current().pid())));
      full.addAll(command);
      Process process =
          new ProcessBuilder(full)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(directory.resolve("server.log").toFile()))
              .start();
      return new KubeProcess(directory, process);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path log() {
    return directory.resolve("server.log");
  }

  Optional<Long> serverPid() {
    return readPid(directory.resolve("server.pid"));
  }

  void requireAlive() {
    if (!watchdog.isAlive()) {
      throw new IllegalStateException(directory.getFileName() + " exited: " + tail(log()));
    }
  }

  void stop() {
    if (watchdog.isAlive()) {
      watchdog.destroy();
      try {
        if (!watchdog.waitFor(15, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        kill();
        Thread.currentThread().interrupt();
      }
    }
    killServer();
  }

  private void kill() {
    killServer();
    watchdog.destroyForcibly();
  }

  private void killServer() {
    serverPid()
        .flatMap(ProcessHandle::of)
        .filter(KubeProcess::isOurs)
        .ifPresent(ProcessHandle::destroyForcibly);
  }

  /** Parts left by an earlier start over the same directory, whose owner died, are ended first. */
  static void reapStale(Path planeDirectory) throws IOException {
    if (!Files.isDirectory(planeDirectory)) {
      return;
    }
    try (Stream<Path> dirs = Files.list(planeDirectory)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        // A part whose owner still runs belongs to another stack on the same directory: not ours.
        boolean ownerAlive =
            readPid(dir.resolve(OWNER_FILE))
                .filter(pid -> pid != ProcessHandle.current().pid())
                .flatMap(ProcessHandle::of)
                .map(ProcessHandle::isAlive)
                .orElse(false);
        if (ownerAlive) {
          throw new IllegalStateException(
              planeDirectory
                  + " is in use by process "
                  + Files.readString(dir.resolve(OWNER_FILE)).trim());
        }
        readPid(dir.resolve("server.pid"))
            .flatMap(ProcessHandle::of)
            .filter(KubeProcess::isOurs)
            .ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }

  /** A recycled pid must never kill an unrelated process. */
  static boolean isOurs(ProcessHandle process) {
    String command = process.info().commandLine().orElse("");
    return KubeBinaries.commands().stream().anyMatch(c -> command.contains("/bin/" + c));
  }

  private static Optional<Long> readPid(Path file) {
    try {
      return Optional.of(Long.parseLong(Files.readString(file).trim()));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    } catch (IOException e) {
      return "no log";
    }
  }
}
