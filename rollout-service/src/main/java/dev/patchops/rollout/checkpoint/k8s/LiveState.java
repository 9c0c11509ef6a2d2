package dev.patchops.rollout.checkpoint.k8s;

import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.canary.k8s.WorkloadOps;
import dev.patchops.rollout.checkpoint.Snapshot;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The cluster side of a checkpoint: what it reads to capture the live state, writes to put it back,
 * and compares to verify it. Only {@link dev.patchops.rollout.checkpoint.Checkpoints} calls it.
 * Every write is idempotent, so a revert can repeat any of them after a crash or a refused call.
 */
@ApplicationScoped
public class LiveState {
  private final KubernetesClient client;

  @Inject
  public LiveState(KubernetesClient client) {
    this.client = client;
  }

  /** The HorizontalPodAutoscaler that scales this Deployment, or null. */
  public String autoscaler(String namespace, String deployment) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(namespace)
        .list()
        .getItems()
        .stream()
        .filter(h -> h.getSpec() != null && h.getSpec().getScaleTargetRef() != null)
        .filter(
            h ->
                "Deployment".equals(h.getSpec().getScaleTargetRef().getKind())
                    && deployment.equals(h.getSpec().getScaleTargetRef().getName()))
        .map(h -> h.getMetadata().getName())
        .findFirst()
        .orElse(null);
  }

  /** The live state a checkpoint keeps; null if the Deployment does not exist. */
  public Snapshot capture(String namespace, String deployment, String httpRoute) {
    Deployment live = client.apps().deployments().inNamespace(namespace).withName(deployment).get();
    if (live == null) {
      return null;
    }
    var pod = live.getSpec().getTemplate().getSpec();
    Map<String, ConfigMap> configMaps =
        read(CONFIG_MAPS, namespace, Snapshot.referencedConfigMaps(pod));
    Map<String, Secret> secrets = read(SECRETS, namespace, Snapshot.referencedSecrets(pod));
    GenericKubernetesResource route = null;
    if (httpRoute != null) {
      route =
          client
              .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
              .inNamespace(namespace)
              .withName(httpRoute)
              .get();
      if (route == null) {
        throw new IllegalStateException("HTTPRoute " + namespace + "/" + httpRoute + " not found");
      }
    }
    return new Snapshot(
        Snapshot.restorable(live), configMaps, secrets, route, autoscaler(namespace, deployment));
  }

  /** Gateway mode after promotion: the route as it was, all traffic on the stable Service. */
  public void resetRoute(Snapshot checkpoint) {
    restoreRoute(checkpoint);
  }

  /** Puts the HTTPRoute's spec back as checkpointed; true when it had to be written. */
  private boolean restoreRoute(Snapshot checkpoint) {
    if (checkpoint.httpRoute() == null) {
      return false;
    }
    String ns = checkpoint.deployment().getMetadata().getNamespace();
    GenericKubernetesResource route =
        client
            .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
            .inNamespace(ns)
            .withName(checkpoint.httpRoute().getMetadata().getName())
            .get();
    if (route == null
        || Snapshot.routeHash(route).equals(Snapshot.routeHash(checkpoint.httpRoute()))) {
      return false;
    }
    route
        .getAdditionalProperties()
        .put(
            "spec",
            Serialization.clone(checkpoint.httpRoute()).getAdditionalProperties().get("spec"));
    client
        .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
        .inNamespace(ns)
        .resource(route)
        .update();
    return true;
  }

  /**
   * Puts the checkpoint back: the Deployment's labels, annotations and spec exactly, then every
   * ConfigMap, Secret and route whose content differs. Returns what it had to write. With {@code
   * restoreDrift} false a ConfigMap or Secret whose content someone changed since the checkpoint
   * (the rollout never writes them) is left as it is, and only one deleted meanwhile is put back.
   */
  public List<String> restore(Snapshot checkpoint, boolean restoreDrift) {
    List<String> restored = new ArrayList<>();
    Deployment want = checkpoint.deployment();
    String ns = want.getMetadata().getNamespace();
    restoreAll(CONFIG_MAPS, ns, checkpoint.configMaps(), restoreDrift, restored);
    restoreAll(SECRETS, ns, checkpoint.secrets(), restoreDrift, restored);
    Deployment live =
        client.apps().deployments().inNamespace(ns).withName(want.getMetadata().getName()).get();
    if (live == null) {
      Deployment create = Serialization.clone(want);
      client.apps().deployments().inNamespace(ns).resource(create).create();
      restored.add("Deployment/" + want.getMetadata().getName());
    } else if (!checkpoint.comparableHash(live).equals(checkpoint.comparableHash(want))) {
      Map<String, String> annotations = Snapshot.annotations(live, true);
      if (want.getMetadata().getAnnotations() != null) {
        annotations.putAll(want.getMetadata().getAnnotations());
      }
      live.getMetadata().setLabels(want.getMetadata().getLabels());
      live.getMetadata().setAnnotations(annotations);
      Integer autoscaled = live.getSpec().getReplicas();
      live.setSpec(Serialization.clone(want.getSpec()));
      if (checkpoint.replicasManagedBy() != null) {
        live.getSpec().setReplicas(autoscaled);
      }
      client.apps().deployments().inNamespace(ns).resource(live).update();
      restored.add("Deployment/" + want.getMetadata().getName());
    }
    if (restoreRoute(checkpoint)) {
      restored.add("HTTPRoute/" + checkpoint.httpRoute().getMetadata().getName());
    }
    return restored;
  }

  /**
   * The ConfigMaps and Secrets of the checkpoint that someone changed or deleted since it was
   * taken, one piece of evidence each ({@code config-drift}), saying what the revert does with it.
   * No content and no hash of a Secret is in it.
   */
  public List<AnalysisEvidence> configDrift(Snapshot checkpoint, boolean restoreDrift) {
    String ns = checkpoint.deployment().getMetadata().getNamespace();
    Map<String, String> live = new LinkedHashMap<>();
    live.putAll(hashesOf(CONFIG_MAPS, ns, checkpoint.configMaps().keySet()));
    live.putAll(hashesOf(SECRETS, ns, checkpoint.secrets().keySet()));
    List<AnalysisEvidence> drift = new ArrayList<>();
    checkpoint
        .configHashes()
        .forEach(
            (item, hash) -> {
              String now = live.get(item);
              if (now == null || hash.equals(now)) {
                return; // the route, or unchanged
              }
              boolean deleted = "absent".equals(now);
              drift.add(
                  new AnalysisEvidence(
                      "config-drift",
                      item,
                      deleted ? "deleted since the checkpoint" : "changed since the checkpoint",
                      deleted || restoreDrift
                          ? "restored to the checkpoint"
                          : "kept (policy configDrift: keep)",
                      false));
            });
    return drift;
  }

  /**
   * Compares the live objects with the checkpoint; each difference is one piece of evidence. With
   * {@code restoreDrift} false a ConfigMap or Secret that exists with other content is no
   * difference: the revert keeps it on purpose.
   */
  public List<AnalysisEvidence> differences(Snapshot checkpoint, boolean restoreDrift) {
    List<AnalysisEvidence> diffs = new ArrayList<>();
    Deployment want = checkpoint.deployment();
    String ns = want.getMetadata().getNamespace();
    Deployment live =
        client.apps().deployments().inNamespace(ns).withName(want.getMetadata().getName()).get();
    String wantHash = checkpoint.comparableHash(want);
    String liveHash = live == null ? "absent" : checkpoint.comparableHash(live);
    if (!wantHash.equals(liveHash)) {
      diffs.add(
          new AnalysisEvidence(
              "spec-hash",
              "Deployment/" + want.getMetadata().getName(),
              liveHash,
              wantHash,
              false));
    }
    Map<String, String> liveHashes = new LinkedHashMap<>();
    liveHashes.putAll(hashesOf(CONFIG_MAPS, ns, checkpoint.configMaps().keySet()));
    liveHashes.putAll(hashesOf(SECRETS, ns, checkpoint.secrets().keySet()));
    if (checkpoint.httpRoute() != null) {
      String name = checkpoint.httpRoute().getMetadata().getName();
      GenericKubernetesResource r =
          client
              .genericKubernetesResources(WorkloadOps.HTTP_ROUTE)
              .inNamespace(ns)
              .withName(name)
              .get();
      liveHashes.put("HTTPRoute/" + name, r == null ? "absent" : Snapshot.routeHash(r));
    }
    checkpoint
        .configHashes()
        .forEach(
            (item, hash) -> {
              boolean kept =
                  !restoreDrift
                      && !item.startsWith("HTTPRoute/")
                      && !"absent".equals(liveHashes.get(item));
              if (!kept && !hash.equals(liveHashes.get(item))) {
                diffs.add(
                    new AnalysisEvidence("content-hash", item, liveHashes.get(item), hash, false));
              }
            });
    return diffs;
  }

  /**
   * The two kinds of configuration a checkpoint keeps, handled by one code path: how to reach them,
   * hash them, keep their content and write that content back.
   */
  private record ConfigKind<T extends HasMetadata>(
      String kind,
      Function<KubernetesClient, MixedOperation<T, ?, Resource<T>>> api,
      Function<T, String> hash,
      UnaryOperator<T> content,
      BiConsumer<T, T> putContent) {}

  private static final ConfigKind<ConfigMap> CONFIG_MAPS =
      new ConfigKind<>(
          "ConfigMap",
          KubernetesClient::configMaps,
          Snapshot::configMapHash,
          LiveState::contentOf,
          (want, target) -> {
            target.setData(want.getData());
            target.setBinaryData(want.getBinaryData());
          });

  private static final ConfigKind<Secret> SECRETS =
      new ConfigKind<>(
          "Secret",
          KubernetesClient::secrets,
          Snapshot::secretHash,
          LiveState::contentOf,
          (want, target) -> {
            target.setData(want.getData());
            target.setStringData(null);
          });

  private <T extends HasMetadata> Map<String, T> read(
      ConfigKind<T> kind, String namespace, Set<String> names) {
    Map<String, T> found = new LinkedHashMap<>();
    for (String name : names) {
      T live = kind.api().apply(client).inNamespace(namespace).withName(name).get();
      if (live != null) {
        found.put(name, kind.content().apply(live));
      }
    }
    return found;
  }

  /** Writes back each object whose content differs from the checkpoint, creating it if gone. */
  private <T extends HasMetadata> void restoreAll(
      ConfigKind<T> kind,
      String namespace,
      Map<String, T> wanted,
      boolean restoreDrift,
      List<String> restored) {
    var api = kind.api().apply(client).inNamespace(namespace);
    for (var e : wanted.entrySet()) {
      T live = api.withName(e.getKey()).get();
      if (live != null
          && (!restoreDrift || kind.hash().apply(live).equals(kind.hash().apply(e.getValue())))) {
        continue;
      }
      if (live == null) {
        T fresh = kind.content().apply(e.getValue());
        fresh.getMetadata().setNamespace(namespace);
        api.resource(fresh).create();
      } else {
        kind.putContent().accept(e.getValue(), live);
        api.resource(live).update();
      }
      restored.add(kind.kind() + "/" + e.getKey());
    }
  }

  private <T extends HasMetadata> Map<String, String> hashesOf(
      ConfigKind<T> kind, String namespace, Set<String> names) {
    Map<String, String> hashes = new LinkedHashMap<>();
    var api = kind.api().apply(client).inNamespace(namespace);
    for (String name : names) {
      T live = api.withName(name).get();
      hashes.put(kind.kind() + "/" + name, live == null ? "absent" : kind.hash().apply(live));
    }
    return hashes;
  }

  private static ConfigMap contentOf(ConfigMap cm) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(cm.getMetadata().getName())
        .endMetadata()
        .withData(cm.getData())
        .withBinaryData(cm.getBinaryData())
        .withImmutable(cm.getImmutable())
        .build();
  }

  private static Secret contentOf(Secret s) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(s.getMetadata().getName())
        .endMetadata()
        .withType(s.getType())
        .withData(s.getData())
        .withImmutable(s.getImmutable())
        .build();
  }
}
