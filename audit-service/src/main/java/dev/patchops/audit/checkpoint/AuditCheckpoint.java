package dev.patchops.audit.checkpoint;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import org.hibernate.annotations.Immutable;

/** A signed head. Immutable in the mapping as in the database: written once, never updated. */
@Entity
@Immutable
@Table(name = "audit_checkpoint")
public class AuditCheckpoint extends PanacheEntityBase {
  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  public Long id;

  public long seq;

  @Column(name = "head_hash")
  public String headHash;

  @Column(name = "signed_at")
  public Instant signedAt;

  @Column(name = "key_id")
  public String keyId;

  public String algorithm;

  public String signature;

  @Column(name = "public_key")
  public String publicKey;

  /** The hash of the checkpoint signed before this one ({@link CheckpointMessage#hash}). */
  @Column(name = "prev_checkpoint_hash")
  public String prevCheckpointHash;

  public static Optional<AuditCheckpoint> latest() {
    return find("order by seq desc, id desc").firstResultOptional();
  }

  /** The last one signed, which the next one links to. */
  public static Optional<AuditCheckpoint> lastSigned() {
    return find("order by id desc").firstResultOptional();
  }
}
