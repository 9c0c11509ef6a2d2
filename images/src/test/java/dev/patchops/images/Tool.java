package dev.patchops.images;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a real command line tool and returns its standard output; a failure carries its stderr. */
final class Tool {

  private Tool() {}

  record Result(int exit, String out, String err) {}

  static String run(Duration limit, String... command) throws IOException, InterruptedException {
    Result result = attempt(limit, command);
    if (result.exit() != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited " + result.exit() + ": " + result.err().strip());
    }
    return result.out();
  }

  static Result attempt(Duration limit, String... command)
      throws IOException, InterruptedException {
    Path err = Files.createTempFile("tool", ".err");
    Path out = Files.createTempFile("tool", ".out");
    try {
      Process process =
          new ProcessBuilder(List.of(command))
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor();
        throw new IllegalStateException(String.join(" ", command) + " took longer than " + limit);
      }
      return new Result(
          process.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(err);
      Files.deleteIfExists(out);
    }
  }
}
