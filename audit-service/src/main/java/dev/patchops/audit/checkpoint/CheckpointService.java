package dev.patchops.audit.checkpoint;

import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.contract.events.AuditCheckpointSigned;
import dev.patchops.platform.config.PlatformConfig;
import dev.patchops.platform.messaging.Outbox;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;

/**
 * Signs the chain's head and publishes it in the same transaction (through the outbox), so a stored
 * checkpoint is always one that others can keep a copy of.
 */
@ApplicationScoped
public class CheckpointService {
  private final AuditTrail trail;
  private final SigningKeys keys;
  private final Outbox outbox;
  private final String serviceName;

  @Inject
  public CheckpointService(
      AuditTrail trail, SigningKeys keys, Outbox outbox, PlatformConfig platform) {
    this.trail = trail;
    this.keys = keys;
    this.outbox = outbox;
    this.serviceName = platform.serviceName();
  }

  /**
   * Signs the current head unless the latest checkpoint already covers it.
   *
   * @return the checkpoint of the head, or empty while the trail is empty
   */
  @Transactional
  public Optional<AuditCheckpoint> checkpoint(String actor) {
    AuditTrail.Head head = trail.lockedHead();
    if (head.seq() == 0) {
      return Optional.empty();
    }
    Optional<AuditCheckpoint> latest = AuditCheckpoint.latest();
    if (latest.isPresent() && latest.get().seq == head.seq()) {
      return latest;
    }
    // Never sign a head grown on a chain that no longer holds the last signed one: that would
    // bless a truncation or a rewrite.
    if (latest.isPresent()) {
      AuditCheckpoint last = latest.get();
      boolean holds =
          last.seq <= head.seq()
              && trail.find(last.seq).map(r -> r.hash().equals(last.headHash)).orElse(false);
      if (!holds) {
        throw new ChainBrokenException(
            "the record at seq "
                + last.seq
                + " no longer has the hash signed at "
                + last.signedAt
                + "; run /api/v1/audit/verify");
      }
    }
    AuditCheckpoint checkpoint = new AuditCheckpoint();
    checkpoint.seq = head.seq();
    checkpoint.headHash = head.hash();
    checkpoint.signedAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
    checkpoint.keyId = keys.keyId();
    checkpoint.algorithm = SigningKeys.ALGORITHM;
    checkpoint.prevCheckpointHash =
        AuditCheckpoint.lastSigned().map(CheckpointMessage::hash).orElse(CheckpointMessage.GENESIS);
    checkpoint.signature =
        Base64.getEncoder().encodeToString(keys.sign(CheckpointMessage.bytes(checkpoint)));
    checkpoint.publicKey = keys.publicKeyBase64();
    checkpoint.persist();
    outbox.publish(
        new AuditCheckpointSigned(
            checkpoint.seq,
            checkpoint.headHash,
            checkpoint.signedAt,
            checkpoint.keyId,
            checkpoint.algorithm,
            checkpoint.signature,
            checkpoint.publicKey,
            checkpoint.prevCheckpointHash),
        AuditCheckpointSigned.CHAIN_KEY,
        actor);
    return Optional.of(checkpoint);
  }

  @Transactional
  public Optional<AuditCheckpoint> latest() {
    return AuditCheckpoint.latest();
  }

  /** Whether the checkpoint verifies with the key its kid names in the published key set. */
  public KeySet.Verdict verification(AuditCheckpoint checkpoint) {
    return keys.keySet()
        .verify(checkpoint.keyId, CheckpointMessage.bytes(checkpoint), checkpoint.signature);
  }

  @Scheduled(
      identity = "audit-checkpoint",
      every = "${audit.checkpoint.interval}",
      delayed = "${audit.checkpoint.interval}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    checkpoint(serviceName);
  }
}
