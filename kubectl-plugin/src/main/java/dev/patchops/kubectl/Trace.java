package dev.patchops.kubectl;

/**
 * {@code PATCHOPS_TRACE=1}: where a command's time goes, on stderr: the wall clock (epoch
 * milliseconds, to line up with the shell's clock around the process) and the CPU time of all the
 * JVM's threads so far; how the start-up aids of the launcher were judged.
 */
final class Trace {
  private static final boolean ON = System.getenv("PATCHOPS_TRACE") != null;

  private Trace() {}

  static void mark(String what) {
    if (ON) {
      long cpu =
          ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
      System.err.println(
          "[trace] at " + System.currentTimeMillis() + ", cpu " + cpu + " ms: " + what);
    }
  }
}
