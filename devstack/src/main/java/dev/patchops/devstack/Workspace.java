package dev.patchops.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A directory that holds the servers one JVM started. Servers are separate processes and outlive a
 * JVM that is SIGKILLed, so every new workspace first reaps those whose owner is gone.
 */
public final class Workspace {
  static final String PREFIX = "patchops-devstack-";
  private static final String OWNER_FILE = "owner.pid";

  private final Path root;

  private Workspace(Path root) {
    this.root = root;
  }

  public static Workspace createTemporary() {
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    reapStale(tmp);
    try {
      Path root = Files.createTempDirectory(tmp, PREFIX + ProcessHandle.current().pid() + "-");
      Files.writeString(root.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
      return new Workspace(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path root() {
    return root;
  }

  public Path resolve(String name) {
    return root.resolve(name);
  }

  public void delete() {
    Dirs.deleteRecursively(root);
  }

  /** Kills servers left behind by dead JVMs and deletes their directories. Returns how many. */
  public static int reapStale(Path tmp) {
    int reaped = 0;
    try (Stream<Path> dirs = Files.list(tmp)) {
      for (Path dir : dirs.filter(d -> d.getFileName().toString().startsWith(PREFIX)).toList()) {
        Optional<Long> owner = readPid(dir.resolve(OWNER_FILE));
        if (owner.isPresent()
            && ProcessHandle.of(owner.get()).map(ProcessHandle::isAlive).orElse(false)) {
          continue;
        }
        killServers(dir);
        Dirs.deleteRecursively(dir);
        reaped++;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return reaped;
  }

  private static void killServers(Path dir) throws IOException {
    List<Path> pidFiles;
    try (Stream<Path> files = Files.walk(dir, 3)) {
      pidFiles =
          files
              .filter(
                  f -> {
                    String name = f.getFileName().toString();
                    return name.equals("server.pid") || name.equals("postmaster.pid");
                  })
              .toList();
    }
    for (Path pidFile : pidFiles) {
      readPid(pidFile)
          .flatMap(ProcessHandle::of)
          // A recycled pid must not kill an unrelated process: only our own servers.
          .filter(Workspace::isOurServer)
          .ifPresent(
              process -> {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
              });
    }
  }

  private static boolean isOurServer(ProcessHandle process) {
    String command = process.info().commandLine().orElse("");
    return command.contains("kafka.Kafka")
        || command.contains("postgres")
        || command.contains("/bin/kube-")
        || command.contains("/bin/etcd");
  }

  private static boolean isYoung(Path dir) {
    try {
      return Files.getLastModifiedTime(dir)
          .toInstant()
          .isAfter(java.time.Instant.now().minusSeconds(60));
    } catch (IOException e) {
      return true;
    }
  }

  private static Optional<Long> readPid(Path file) {
    try {
      String first = Files.readAllLines(file).stream().findFirst().orElse("").trim();
      return Optional.of(Long.parseLong(first));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }
}
