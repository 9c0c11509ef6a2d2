package dev.patchops.kubectl;

/**
 * {@code PATCHOPS_TRACE=1}: where a command's time goes, on stderr, in milliseconds since the JVM
 * started; how the start-up aids of the launcher were judged.
 */
final class Trace {
  private static final boolean ON = System.getenv("PATCHOPS_TRACE") != null;
  private static final long START =
      ON ? ProcessHandle.current().info().startInstant().map(i -> i.toEpochMilli()).orElse(0L) : 0;

  private Trace() {}

  static void mark(String what) {
    if (ON) {
      long cpu =
          ProcessHandle.current().info().totalCpuDuration().map(d -> d.toMillis()).orElse(-1L);
      System.err.println(
          "[trace] " + (System.currentTimeMillis() - START) + " ms, cpu " + cpu + " ms: " + what);
    }
  }
}
