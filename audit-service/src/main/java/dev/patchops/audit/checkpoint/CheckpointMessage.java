package dev.patchops.audit.checkpoint;

import dev.patchops.audit.trail.ChainHash;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What a checkpoint signature covers, for the signer and every verifier alike: the RFC 8785 JSON of
 * {@code {"headHash","keyId","seq","signedAt"}}, UTF-8.
 */
public final class CheckpointMessage {
  private CheckpointMessage() {}

  public static byte[] bytes(long seq, String headHash, Instant signedAt, String keyId) {
    String json =
        "{\"seq\":"
            + seq
            + ",\"headHash\":\""
            + headHash
            + "\",\"signedAt\":\""
            + signedAt
            + "\",\"keyId\":\""
            + keyId
            + "\"}";
    return ChainHash.canonicalize(json).getBytes(StandardCharsets.UTF_8);
  }
}
