package dev.patchops.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A place in a packaged service where the crash matrix stops the JVM dead, as SIGKILL would.
 *
 * <p>The stop is a Byteman rule loaded as an agent on the test's command line, so production code
 * carries no hook and no switch. {@link Runtime#halt} runs no shutdown hook, flushes nothing and
 * commits nothing: the process state after it is the one a kill leaves. A rule at the exit of a
 * {@code @Transactional} bean method stops inside the transaction, before the interceptor commits,
 * because Byteman changes the bean class's own method body, not the generated subclass around it.
 */
public record CrashPoint(
    String name,
    String className,
    String method,
    Location location,
    Path onceFlag,
    String condition) {

  /** What a SIGKILLed process exits with, kept so a halt and a kill look the same to the test. */
  public static final int EXIT_CODE = 137;

  public enum Location {
    ENTRY,
    EXIT
  }

  public static CrashPoint atEntry(String name, String className, String method) {
    return new CrashPoint(name, className, method, Location.ENTRY, null, null);
  }

  public static CrashPoint atExit(String name, String className, String method) {
    return new CrashPoint(name, className, method, Location.EXIT, null, null);
  }

  /**
   * This point, armed in several processes (replicas of one service), halting only the first that
   * reaches it: creating {@code flag} is atomic, so exactly one process wins, and the others go on
   * as live replicas that must take the work over.
   */
  public CrashPoint onceAcrossProcesses(Path flag) {
    return new CrashPoint(name, className, method, location, flag.toAbsolutePath(), condition);
  }

  /**
   * This point, halting only once {@code condition} (a Byteman expression over the method's
   * parameters, {@code $1} for the first) holds: a place passed many times, such as a poll, halts
   * when what it polls is in the state the crash is about.
   */
  public CrashPoint when(String condition) {
    return new CrashPoint(name, className, method, location, onceFlag, condition);
  }

  /** The line the rule prints before halting: the proof that the crash came from this point. */
  public String marker() {
    return "patchops crash point " + name;
  }

  /** The rule, in Byteman's script language. */
  public String rule() {
    return String.join(
        "\n",
        "RULE " + name,
        "CLASS " + className,
        "METHOD " + method,
        "AT " + location,
        onceFlag == null ? "" : "BIND flag:java.io.File = new java.io.File(\"" + onceFlag + "\")",
        "IF " + ruleCondition(),
        "DO traceln(\"" + marker() + "\"); Runtime.getRuntime().halt(" + EXIT_CODE + ")",
        "ENDRULE",
        "");
  }

  private String ruleCondition() {
    String when = condition == null ? "TRUE" : "(" + condition + ")";
    // The flag last: a process that does not meet the condition must not take the one halt.
    return onceFlag == null ? when : when + " AND flag.createNewFile()";
  }

  /** The JVM arguments that arm this point: the agent and its script, written under {@code dir}. */
  public List<String> jvmArguments(Path dir) {
    try {
      Files.createDirectories(dir);
      Path script = dir.resolve(name + ".btm");
      Files.writeString(script, rule());
      return List.of("-javaagent:" + agentJar() + "=script:" + script);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path agentJar() {
    try {
      return Path.of(
          org.jboss.byteman.agent.Main.class
              .getProtectionDomain()
              .getCodeSource()
              .getLocation()
              .toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
