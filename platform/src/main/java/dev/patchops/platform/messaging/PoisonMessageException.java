package dev.patchops.platform.messaging;

/**
 * A message that no retry can fix: malformed, against the schema, or refused by the handler for
 * good. It goes straight to the dead-letter topic.
 */
public class PoisonMessageException extends RuntimeException {
  public PoisonMessageException(String reason) {
    super(reason);
  }

  public PoisonMessageException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
