package dev.patchops.audit.verify;

import java.time.Instant;

/**
 * The outcome of re-walking the chain.
 *
 * @param firstBroken the first record at which the chain stops being trustworthy, or null
 * @param checkpoint the newest checkpoint that applied to the range, and whether it held
 */
public record VerificationReport(
    boolean valid,
    long fromSeq,
    long toSeq,
    long recordsChecked,
    Long headSeq,
    String headHash,
    Problem firstBroken,
    CheckpointCheck checkpoint,
    Instant verifiedAt) {

  public enum ProblemKind {
    /** A record's stored hash is not the hash of its content: it was edited. */
    HASH_MISMATCH,
    /** A record's prev_hash is not its predecessor's hash: a record was replaced or re-chained. */
    PREV_HASH_MISMATCH,
    /** A sequence number is missing: a record was deleted. */
    GAP,
    /** The chain ends before a signed checkpoint: the tail was truncated. */
    TRUNCATED,
    /** The record at a checkpoint's seq has another hash than the one signed. */
    CHECKPOINT_MISMATCH,
    /** A checkpoint's signature does not verify with the published key of its kid. */
    CHECKPOINT_SIGNATURE_INVALID,
    /** A checkpoint names a kid that is not in the published key set. */
    CHECKPOINT_KEY_UNKNOWN,
    /** A stored checkpoint does not link to the one signed before it: one was re-signed. */
    CHECKPOINT_LINK_BROKEN
  }

  public record Problem(long seq, ProblemKind kind, String detail) {}

  public record CheckpointCheck(long seq, String headHash, Instant signedAt, boolean holds) {}
}
