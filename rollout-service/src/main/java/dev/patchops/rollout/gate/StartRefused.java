package dev.patchops.rollout.gate;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The domain refusal of a start by the {@link StartGate}. The refusal is already recorded (event
 * committed) when this is thrown; only the REST edge turns it into a problem document.
 */
public class StartRefused extends RuntimeException {
  private final String rolloutId;
  private final List<StartGate.Refusal> refusals;

  public StartRefused(String rolloutId, List<StartGate.Refusal> refusals) {
    super(
        refusals.stream()
            .map(r -> r.gate().id() + ": " + r.reason())
            .collect(Collectors.joining("; ")));
    this.rolloutId = rolloutId;
    this.refusals = List.copyOf(refusals);
  }

  public String rolloutId() {
    return rolloutId;
  }

  public List<StartGate.Refusal> refusals() {
    return refusals;
  }

  /** The first gate that refused: what a status condition or a problem type names. */
  public StartGate.Gate gate() {
    return refusals.get(0).gate();
  }
}
