package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.Pattern;
import java.time.Instant;

/**
 * A signed head of the audit chain. Whoever keeps these can later prove that the audit-service
 * neither rewrote nor truncated its trail up to {@code seq}: the Ed25519 {@code signature} (base64)
 * covers the RFC 8785 canonical JSON of {@code
 * {"headHash","keyId","prevCheckpointHash","seq","signedAt"}}. Checkpoints form a chain of their
 * own: {@code prevCheckpointHash} is the SHA-256 (hex) of the previous checkpoint's signed JSON (64
 * zeros for the first), so a re-signed checkpoint breaks every later one.
 *
 * @param keyId the id ({@code kid}) of the signing key in the published key set
 * @param publicKey the X.509 SubjectPublicKeyInfo of the signing key, base64; informative only, a
 *     verifier takes the key from its own copy of the key set by {@code keyId}
 * @param prevCheckpointHash absent only on checkpoints signed before checkpoints were linked
 */
public record AuditCheckpointSigned(
    long seq,
    @Pattern(Pattern.SHA256_HEX) @Limit(length = 64) String headHash,
    Instant signedAt,
    @Limit(length = Limit.WORD) String keyId,
    @Limit(length = Limit.WORD) String algorithm,
    @Limit(length = 1024) String signature,
    @Limit(length = 4096) String publicKey,
    @Nullable @Pattern(Pattern.SHA256_HEX) @Limit(length = 64) String prevCheckpointHash)
    implements PatchOpsEvent {

  /** One partition key: checkpoints of one chain stay in order. */
  public static final String CHAIN_KEY = "audit-chain";

  @Override
  public String partitionKey() {
    return CHAIN_KEY;
  }
}
