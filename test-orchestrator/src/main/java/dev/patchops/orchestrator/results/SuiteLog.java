package dev.patchops.orchestrator.results;

import dev.patchops.contract.JunitLog;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One pass over a suite's log: keeps a bounded tail and lifts out the JUnit report.
 *
 * <p>The convention for suites (documented in docs/architecture.md): print the JUnit XML between a
 * line {@value JunitLog#BEGIN} and a line {@value JunitLog#END}. A log is the one output every Job
 * has, and unlike the termination message (4 KiB) it holds a real report.
 */
public final class SuiteLog {

  public record Scanned(String tail, byte[] junit, boolean junitTruncated, long lines) {}

  private static final int MAX_LINE_CHARS = ResultBudget.TOTAL_TAIL_BYTES;

  private SuiteLog() {}

  /**
   * @param tailLines lines of the log kept, from the end
   * @param maxJunitBytes bytes of report kept; a larger one is cut and its counters trusted
   */
  public static Scanned scan(Reader log, int tailLines, int maxJunitBytes) {
    Deque<String> tail = new ArrayDeque<>(tailLines + 1);
    ByteArrayOutputStream junit = null;
    boolean inJunit = false;
    boolean truncated = false;
    long lines = 0;
    try (BufferedReader reader = new BufferedReader(log)) {
      String line;
      while ((line = reader.readLine()) != null) {
        lines++;
        if (line.equals(JunitLog.BEGIN)) {
          inJunit = true;
          junit = new ByteArrayOutputStream();
          truncated = false;
          continue;
        }
        if (line.equals(JunitLog.END)) {
          inJunit = false;
          continue;
        }
        if (inJunit) {
          byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
          if (junit.size() + bytes.length <= maxJunitBytes) {
            junit.write(bytes);
          } else {
            truncated = true;
          }
          continue;
        }
        // A kept line is bounded, so 200 of them are too; the tail is cut in bytes below.
        tail.addLast(line.length() <= MAX_LINE_CHARS ? line : line.substring(0, MAX_LINE_CHARS));
        if (tail.size() > tailLines) {
          tail.removeFirst();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Scanned(
        ResultBudget.keepEnd(String.join("\n", tail), ResultBudget.TOTAL_TAIL_BYTES),
        junit == null ? null : junit.toByteArray(),
        truncated,
        lines);
  }
}
