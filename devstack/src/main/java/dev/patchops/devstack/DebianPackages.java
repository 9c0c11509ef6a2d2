package dev.patchops.devstack;

import dev.patchops.devstack.kube.KubeBinaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The Debian tools the tests use (skopeo, docker-registry, runc and umoci for the images;
 * prometheus for the canary judge; python3-venv for schemathesis), installed on first use when
 * missing, so that a fresh Debian machine needs nothing but {@code ./mvnw -B verify}. Installs are
 * serialized per machine with a file lock (apt's own lock is waited on as well).
 */
public final class DebianPackages {

  private DebianPackages() {}

  /** The path of {@code binary}, after installing {@code pkg} if the binary is missing. */
  public static Path require(String binary, String pkg) {
    Path path = Path.of(binary);
    if (!Files.isExecutable(path)) {
      install(pkg, () -> Files.isExecutable(path));
    }
    if (!Files.isExecutable(path)) {
      throw new IllegalStateException(
          "Debian package " + pkg + " is installed but has no " + binary);
    }
    return path;
  }

  /**
   * Installs {@code pkg} unless {@code present} says another build did while this one waited for
   * the lock.
   */
  public static void install(String pkg, BooleanSupplier present) {
    Path lockFile = KubeBinaries.cacheRoot().resolve("apt.lock");
    try {
      Files.createDirectories(lockFile.getParent());
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        if (present.getAsBoolean()) {
          return;
        }
        if (!"root".equals(System.getProperty("user.name"))) {
          throw new IllegalStateException("only root may install Debian package " + pkg);
        }
        String output = aptGet("install", "-y", "--no-install-recommends", pkg);
        if (!present.getAsBoolean() && output.contains("Unable to locate package")) {
          aptGet("update", "-qq");
          output = aptGet("install", "-y", "--no-install-recommends", pkg);
        }
        if (!present.getAsBoolean()) {
          throw new IllegalStateException(
              "cannot install Debian package " + pkg + ": " + lastLine(output));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Whether dpkg has {@code pkg} installed: for packages that bring no binary of their own. */
  public static boolean installed(String pkg) {
    try {
      Process query =
          new ProcessBuilder("dpkg-query", "-W", "-f=${Status}", pkg)
              .redirectErrorStream(true)
              .start();
      String status = new String(query.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return query.waitFor() == 0 && status.contains("install ok installed");
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static String aptGet(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("apt-get", "-o", "DPkg::Lock::Timeout=600"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command, e);
    }
    return output;
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines.length == 0 ? "(no output)" : lines[lines.length - 1];
  }
}
