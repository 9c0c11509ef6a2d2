package dev.patchops.testing;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a response must never show: a qualified Java class name or a stack frame. The same pattern
 * as the schemathesis check in {@code schemathesis_hooks.py}, for tests that fuzz from Java.
 */
public final class Leaks {
  private static final Pattern LEAK =
      Pattern.compile(
          "\\bat (?:dev\\.patchops|java\\.|jdk\\.|io\\.quarkus|io\\.vertx|org\\.)"
              + "|\\b(?:java|javax|jakarta|jdk|sun)\\.[a-z]+\\.[A-Za-z]"
              + "|\\b(?:dev\\.patchops|org\\.hibernate|org\\.postgresql|org\\.jboss|io\\.quarkus"
              + "|io\\.vertx|io\\.smallrye|com\\.fasterxml|org\\.apache|org\\.eclipse)\\.[A-Za-z]"
              + "|\\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\\b"
              + "|Caused by:");

  private Leaks() {}

  /** The leaking part with some context around it, if {@code text} leaks. */
  public static Optional<String> find(String text) {
    Matcher matcher = LEAK.matcher(text);
    if (!matcher.find()) {
      return Optional.empty();
    }
    return Optional.of(
        text.substring(
            Math.max(0, matcher.start() - 60), Math.min(text.length(), matcher.end() + 60)));
  }
}
