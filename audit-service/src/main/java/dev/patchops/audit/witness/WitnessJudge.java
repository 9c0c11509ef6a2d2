package dev.patchops.audit.witness;

import dev.patchops.audit.checkpoint.KeySet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the witness concludes, as pure functions: from a checkpoint heard on the audit topic, and
 * from the service's own answers held against what was heard.
 */
public final class WitnessJudge {
  private WitnessJudge() {}

  public enum Kind {
    /** A checkpoint's signature does not verify with its kid's key in the witness's key set. */
    SIGNATURE_INVALID,
    /** A checkpoint names a kid the witness does not know. */
    KEY_UNKNOWN,
    /** A checkpoint does not link to the last one witnessed. */
    LINK_BROKEN,
    /** A checkpoint goes back behind the last one witnessed. */
    ROLLED_BACK,
    /** The service's newest checkpoint contradicts one the witness heard. */
    SERVICE_DISAGREES,
    /** The service, asked to verify its chain against the witnessed checkpoints, says it fails. */
    SERVICE_VERIFY_FAILED
  }

  public record Mismatch(Kind kind, long seq, String detail) {}

  /**
   * @param head the last checkpoint the witness accepted, if any; the first one heard is taken on
   *     trust, as the start of what the witness can vouch for
   */
  public static List<Mismatch> onCheckpoint(
      Optional<Witnessed> head, Witnessed received, KeySet keys) {
    List<Mismatch> found = new ArrayList<>();
    signature(received, keys, "checkpoint heard").ifPresent(found::add);
    if (head.isPresent()) {
      Witnessed last = head.get();
      if (received.seq() < last.seq()) {
        found.add(
            new Mismatch(
                Kind.ROLLED_BACK,
                received.seq(),
                "checkpoint at seq "
                    + received.seq()
                    + " comes after one witnessed at seq "
                    + last.seq()));
      }
      if (received.prevCheckpointHash() == null
          || !received.prevCheckpointHash().equals(last.checkpointHash())) {
        found.add(
            new Mismatch(
                Kind.LINK_BROKEN,
                received.seq(),
                "checkpoint at seq "
                    + received.seq()
                    + " links to "
                    + received.prevCheckpointHash()
                    + " but the last checkpoint witnessed (seq "
                    + last.seq()
                    + ") hashes to "
                    + last.checkpointHash()));
      }
    }
    return found;
  }

  /**
   * @param witnessed the accepted checkpoints by seq
   * @param serviceLatest the service's answer to "your newest checkpoint", empty when it has none
   * @param verifyValid the service's verdict on its chain held against {@code witnessed}
   * @param verifyProblem its first problem, when not valid
   */
  public static List<Mismatch> onServiceAnswers(
      Map<Long, Witnessed> witnessed,
      Optional<Witnessed> serviceLatest,
      boolean verifyValid,
      String verifyProblem,
      KeySet keys) {
    List<Mismatch> found = new ArrayList<>();
    long headSeq = witnessed.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    if (serviceLatest.isEmpty()) {
      if (headSeq > 0) {
        found.add(
            new Mismatch(
                Kind.SERVICE_DISAGREES,
                headSeq,
                "the service has no checkpoint, but one was witnessed at seq " + headSeq));
      }
    } else {
      Witnessed latest = serviceLatest.get();
      signature(latest, keys, "the service's newest checkpoint").ifPresent(found::add);
      if (latest.seq() < headSeq) {
        found.add(
            new Mismatch(
                Kind.SERVICE_DISAGREES,
                headSeq,
                "the service's newest checkpoint is at seq "
                    + latest.seq()
                    + ", behind the one witnessed at seq "
                    + headSeq));
      }
      Witnessed same = witnessed.get(latest.seq());
      if (same != null && !same.checkpointHash().equals(latest.checkpointHash())) {
        found.add(
            new Mismatch(
                Kind.SERVICE_DISAGREES,
                latest.seq(),
                "the service's checkpoint at seq "
                    + latest.seq()
                    + " holds head "
                    + latest.headHash()
                    + " signed at "
                    + latest.signedAt()
                    + ", but the witness heard head "
                    + same.headHash()
                    + " signed at "
                    + same.signedAt()));
      }
    }
    if (!verifyValid) {
      found.add(
          new Mismatch(
              Kind.SERVICE_VERIFY_FAILED,
              headSeq,
              "the service's chain does not verify against the witnessed checkpoints: "
                  + verifyProblem));
    }
    return found;
  }

  private static Optional<Mismatch> signature(Witnessed c, KeySet keys, String what) {
    return switch (keys.verify(c.keyId(), c.message(), c.signature())) {
      case VALID -> Optional.empty();
      case UNKNOWN_KEY ->
          Optional.of(
              new Mismatch(
                  Kind.KEY_UNKNOWN,
                  c.seq(),
                  what + " at seq " + c.seq() + " names key " + c.keyId() + ", not published"));
      case INVALID ->
          Optional.of(
              new Mismatch(
                  Kind.SIGNATURE_INVALID,
                  c.seq(),
                  what + " at seq " + c.seq() + " does not verify with key " + c.keyId()));
    };
  }
}
