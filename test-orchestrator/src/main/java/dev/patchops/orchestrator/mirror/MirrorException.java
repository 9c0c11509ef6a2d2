package dev.patchops.orchestrator.mirror;

/** The mirror cannot be built; the message says why, for the run's analytics. */
public class MirrorException extends RuntimeException {
  public MirrorException(String message) {
    super(message);
  }

  public MirrorException(String message, Throwable cause) {
    super(message, cause);
  }
}
