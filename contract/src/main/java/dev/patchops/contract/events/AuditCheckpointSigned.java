package dev.patchops.contract.events;

import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.Pattern;
import java.time.Instant;

/**
 * A signed head of the audit chain. Whoever keeps these can later prove that the audit-service
 * neither rewrote nor truncated its trail up to {@code seq}: the Ed25519 {@code signature} (base64)
 * covers the RFC 8785 canonical JSON of {@code {"headHash","keyId","seq","signedAt"}}.
 *
 * @param keyId SHA-256 (hex) of the DER-encoded public key
 * @param publicKey the X.509 SubjectPublicKeyInfo of the signing key, base64
 */
public record AuditCheckpointSigned(
    long seq,
    @Pattern(Pattern.SHA256_HEX) String headHash,
    Instant signedAt,
    @Pattern(Pattern.SHA256_HEX) String keyId,
    String algorithm,
    String signature,
    String publicKey)
    implements PatchOpsEvent {

  /** One partition key: checkpoints of one chain stay in order. */
  public static final String CHAIN_KEY = "audit-chain";

  @Override
  public String partitionKey() {
    return CHAIN_KEY;
  }
}
