package dev.patchops.audit.witness;

import dev.patchops.audit.checkpoint.CheckpointMessage;
import dev.patchops.audit.trail.ChainHash;
import java.time.Instant;

/** A checkpoint as the witness heard or was told it: the signed fields and the signature. */
public record Witnessed(
    long seq,
    String headHash,
    Instant signedAt,
    String keyId,
    String signature,
    String prevCheckpointHash) {

  public byte[] message() {
    return CheckpointMessage.bytes(seq, headHash, signedAt, keyId, prevCheckpointHash);
  }

  /** What the next checkpoint must link to. */
  public String checkpointHash() {
    return ChainHash.sha256Hex(message());
  }
}
