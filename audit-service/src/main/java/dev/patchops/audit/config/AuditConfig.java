package dev.patchops.audit.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

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
    /** PKCS#8 PEM of the Ed25519 key that signs checkpoints. */
    String privateKey();

    /** X.509 PEM of its public key, published with every checkpoint. */
    String publicKey();
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
  }

  interface Ingest {
    /** Pause after a failed batch before it is tried again; nothing is skipped. */
    @WithDefault("500ms")
    Duration retryBackoff();

    @WithDefault("10s")
    Duration maxRetryBackoff();
  }
}
