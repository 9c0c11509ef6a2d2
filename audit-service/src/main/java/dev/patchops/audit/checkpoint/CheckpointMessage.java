package dev.patchops.audit.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.audit.trail.ChainHash;
import dev.patchops.contract.ContractJson;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What a checkpoint signature covers, for the signer and every verifier alike: the RFC 8785 JSON of
 * {@code {"headHash","keyId","prevCheckpointHash","seq","signedAt"}}, UTF-8. A checkpoint's own
 * hash, which the next one links to, is the SHA-256 of those same bytes.
 */
public final class CheckpointMessage {
  /** What the first checkpoint links to. */
  public static final String GENESIS = ChainHash.GENESIS;

  private CheckpointMessage() {}

  /**
   * @param prevCheckpointHash null only for a checkpoint signed before checkpoints were linked,
   *     whose message had no such field
   */
  public static byte[] bytes(
      long seq, String headHash, Instant signedAt, String keyId, String prevCheckpointHash) {
    ObjectNode json =
        ContractJson.mapper()
            .createObjectNode()
            .put("seq", seq)
            .put("headHash", headHash)
            .put("signedAt", signedAt.toString())
            .put("keyId", keyId);
    if (prevCheckpointHash != null) {
      json.put("prevCheckpointHash", prevCheckpointHash);
    }
    return ChainHash.canonicalize(json.toString()).getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] bytes(AuditCheckpoint c) {
    return bytes(c.seq, c.headHash, c.signedAt, c.keyId, c.prevCheckpointHash);
  }

  /** The hash the next checkpoint links to. */
  public static String hash(AuditCheckpoint c) {
    return ChainHash.sha256Hex(bytes(c));
  }
}
