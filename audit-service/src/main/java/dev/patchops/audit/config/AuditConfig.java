package dev.patchops.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "audit")
public interface AuditConfig {

  Signing signing();

  /**
   * Start even when the database role could change the trail. Off by default; only for a throwaway
   * database where the service runs as the owner.
   */
  @WithDefault("false")
  boolean allowPrivilegedRole();

  Checkpoint checkpoint();

  Verify verify();

  Ingest ingest();

  interface Signing {
    /**
     * PKCS#8 PEM of the Ed25519 key that signs checkpoints. Required to sign; the witness, which
     * only verifies, holds none.
     */
    Optional<String> privateKey();

    /** X.509 PEM of its public key, published with every checkpoint. */
    Optional<String> publicKey();

    /**
     * The id ({@code kid}) checkpoints signed with this key carry. Defaults to the SHA-256 (hex) of
     * the public key's DER. Give each new key a new kid when rotating.
     */
    Optional<String> keyId();

    /**
     * The published key set, {@code kid=<X.509 PEM or base64 DER>} each: every key that ever signed
     * a checkpoint still to be verified (the retired ones after a rotation). The signing key is
     * always in it. A checkpoint whose kid is not here does not verify.
     */
    Optional<List<String>> publishedKeys();
  }

  interface Checkpoint {
    /** How often the head is signed when it has moved. Read by the scheduler as well. */
    @WithDefault("5m")
    Duration interval();
  }

  interface Verify {
    /** How often the whole chain is re-walked by the self-check. */
    @WithDefault("10m")
    Duration interval();

    /** Rows fetched per round trip while walking the chain. */
    @WithDefault("2000")
    int fetchSize();

    /**
     * Walks at once. Each holds a database connection and a transaction for as long as the chain
     * takes, so a few concurrent calls could take the whole pool; one more is refused, not queued.
     */
    @WithDefault("1")
    int maxConcurrent();
  }

  interface Ingest {
    /** Pause after a failed batch before it is tried again; nothing is skipped. */
    @WithDefault("500ms")
    Duration retryBackoff();

    @WithDefault("10s")
    Duration maxRetryBackoff();
  }
}
