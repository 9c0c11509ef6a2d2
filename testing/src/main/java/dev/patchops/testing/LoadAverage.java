package dev.patchops.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's load average when a benchmark scenario ends: the box may be shared, and a number
 * measured next to someone else's build should say so.
 */
public final class LoadAverage {
  private LoadAverage() {}

  /** The 1-, 5- and 15-minute load averages, the first {@code windows} of them, or "n/a". */
  public static String now(int windows) {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return String.join(" / ", java.util.Arrays.copyOf(fields, Math.min(windows, 3)));
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }
}
