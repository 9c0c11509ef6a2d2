package dev.patchops.rollout.checkpoint;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import org.hibernate.annotations.Immutable;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** The known rollback point of one rollout; written once, before the first change. */
@Entity
@Immutable
@Table(name = "checkpoint")
public class Checkpoint extends PanacheEntityBase {
  @Id public String id;

  @Column(name = "rollout_id")
  public String rolloutId;

  /** The Deployment as restored: metadata labels and annotations, and the whole spec. */
  @JdbcTypeCode(SqlTypes.JSON)
  public String deployment;

  @Column(name = "spec_hash")
  public String specHash;

  /** The HTTPRoute's spec in Gateway API mode, restored with the Deployment; else null. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "http_route")
  public String httpRoute;

  /** ConfigMap name to its data and binaryData, as JSON. */
  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "config_maps")
  public String configMaps;

  /** Secret name to its data, as JSON, sealed by {@link SecretSealer}. */
  @Column(name = "sealed_secrets")
  public byte[] sealedSecrets;

  @JdbcTypeCode(SqlTypes.JSON)
  @Column(name = "config_hashes")
  public Map<String, String> configHashes;

  /** The HorizontalPodAutoscaler owning spec.replicas, which a revert then leaves alone. */
  @Column(name = "replicas_managed_by")
  public String replicasManagedBy;

  @Column(name = "recorded_at")
  public Instant recordedAt;
}
