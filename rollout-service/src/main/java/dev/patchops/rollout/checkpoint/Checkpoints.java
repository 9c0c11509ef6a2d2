package dev.patchops.rollout.checkpoint;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.checkpoint.k8s.LiveState;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A rollout's way back, in one place: capturing the live state before anything changes, storing it
 * (Secrets sealed), reading it back, restoring it and verifying the restore. The engine and the
 * rollout's transitions go through here, never to the cluster or the table directly.
 *
 * <p>A stored checkpoint never changes, so it is cached for the rollout's life once read; {@link
 * #forget} drops it when the rollout ends.
 */
@ApplicationScoped
public class Checkpoints {
  private static final com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>> JSON_MAP =
      new com.fasterxml.jackson.core.type.TypeReference<>() {};

  @Inject LiveState live;
  @Inject SecretSealer sealer;

  private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();
  private final Map<String, String> specHashes = new ConcurrentHashMap<>();

  /** The live state a checkpoint keeps; null if the Deployment does not exist. */
  public Snapshot capture(String namespace, String deployment, String httpRoute) {
    return live.capture(namespace, deployment, httpRoute);
  }

  /**
   * Stores {@code snapshot} as the rollout's checkpoint, in the caller's transaction: the one that
   * moves the rollout on and publishes {@code rollout.checkpoint-recorded}.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public Checkpoint store(String rolloutId, Snapshot snapshot) {
    Checkpoint cp = new Checkpoint();
    cp.id = "cp-" + rolloutId;
    cp.rolloutId = rolloutId;
    cp.deployment = Serialization.asJson(snapshot.deployment());
    cp.specHash = Snapshot.specHash(snapshot.deployment());
    cp.configMaps = Serialization.asJson(snapshot.configMaps());
    cp.sealedSecrets =
        snapshot.secrets().isEmpty()
            ? null
            : sealer.seal(Serialization.asJson(snapshot.secrets()), rolloutId);
    cp.replicasManagedBy = snapshot.replicasManagedBy();
    cp.httpRoute = snapshot.httpRoute() == null ? null : Serialization.asJson(snapshot.httpRoute());
    cp.configHashes = snapshot.configHashes(sealer::digest);
    cp.recordedAt = Instant.now();
    cp.persist();
    return cp;
  }

  /** The stored row, hashes and all; null before the checkpoint is recorded. */
  @Transactional
  public Checkpoint row(String rolloutId) {
    return Checkpoint.find("rolloutId", rolloutId).firstResult();
  }

  /** The stored checkpoint read back, its Secrets unsealed; null before it is recorded. */
  @Transactional
  public Snapshot load(String rolloutId) {
    Checkpoint cp = row(rolloutId);
    if (cp == null) {
      return null;
    }
    Deployment deployment = Serialization.unmarshal(cp.deployment, Deployment.class);
    Map<String, ConfigMap> configMaps = byName(cp.configMaps, ConfigMap.class);
    Map<String, Secret> secrets =
        cp.sealedSecrets == null
            ? Map.of()
            : byName(sealer.open(cp.sealedSecrets, rolloutId), Secret.class);
    GenericKubernetesResource route =
        cp.httpRoute == null
            ? null
            : Serialization.unmarshal(cp.httpRoute, GenericKubernetesResource.class);
    return new Snapshot(deployment, configMaps, secrets, route, cp.replicasManagedBy);
  }

  /** The rollout's checkpoint; one that must exist (the rollout is past PENDING). */
  public Snapshot of(String rolloutId) {
    Snapshot s = cached(rolloutId);
    if (s == null) {
      throw new IllegalStateException("rollout " + rolloutId + " has no checkpoint");
    }
    return s;
  }

  /** The checkpoint, read once and kept for the rollout's life; null before it is recorded. */
  private Snapshot cached(String rolloutId) {
    Snapshot s = snapshots.get(rolloutId);
    if (s == null) {
      s = load(rolloutId);
      if (s != null) {
        snapshots.put(rolloutId, s);
      }
    }
    return s;
  }

  /** The checkpointed spec's hash, as the PatchRollout status shows it; null before it exists. */
  public String specHash(String rolloutId) {
    String hash = specHashes.get(rolloutId);
    if (hash == null) {
      Checkpoint row = row(rolloutId);
      if (row != null) {
        hash = row.specHash;
        specHashes.put(rolloutId, hash);
      }
    }
    return hash;
  }

  /**
   * Puts the checkpoint back; what had to be written. With {@code restoreDrift} false, ConfigMaps
   * and Secrets someone else changed meanwhile are kept (see {@link LiveState#restore}).
   */
  public List<String> restore(String rolloutId, boolean restoreDrift) {
    return live.restore(of(rolloutId), restoreDrift);
  }

  /** Gateway mode after promotion: the route as checkpointed, all traffic on the stable Service. */
  public void resetRoute(String rolloutId) {
    live.resetRoute(of(rolloutId));
  }

  /** What still differs from the checkpoint: empty once a revert is verified. */
  public List<AnalysisEvidence> differences(String rolloutId, boolean restoreDrift) {
    return live.differences(of(rolloutId), restoreDrift);
  }

  /**
   * ConfigMaps and Secrets someone else changed since the checkpoint, and what a revert does; none
   * before the checkpoint is recorded (a rollout stopped while PENDING changed nothing).
   */
  public List<AnalysisEvidence> drift(String rolloutId, boolean restoreDrift) {
    // Read, not cached: a revert can start on any replica (an abort over REST), and only the
    // leader's engine forgets a checkpoint when its rollout ends.
    Snapshot cp = snapshots.get(rolloutId);
    if (cp == null) {
      cp = load(rolloutId);
    }
    return cp == null ? List.of() : live.configDrift(cp, restoreDrift);
  }

  public void forget(String rolloutId) {
    snapshots.remove(rolloutId);
    specHashes.remove(rolloutId);
  }

  /** A JSON object of name to Kubernetes object, as the row stores ConfigMaps and Secrets. */
  private static <T> Map<String, T> byName(String json, Class<T> type) {
    Map<String, T> objects = new LinkedHashMap<>();
    Serialization.unmarshal(json, JSON_MAP)
        .forEach(
            (name, value) ->
                objects.put(name, Serialization.jsonMapper().convertValue(value, type)));
    return objects;
  }
}
