package dev.patchops.orchestrator.mirror;

/**
 * The mirror may not be built at all: the source namespace is not allowed, or a workload would run
 * with more privilege than the mirror's Pod Security profile grants. Thrown before anything is
 * created; the message names the workload and every rule it breaks.
 */
public class MirrorRefusedException extends MirrorException {
  public MirrorRefusedException(String message) {
    super(message);
  }
}
