package dev.patchops.rollout.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What a rollout may change and a revert must put back: the Deployment as its owner wrote it, the
 * ConfigMaps and Secrets its pod template references, and the HTTPRoute in Gateway API mode.
 */
public record Snapshot(
    Deployment deployment,
    Map<String, ConfigMap> configMaps,
    Map<String, Secret> secrets,
    GenericKubernetesResource httpRoute,
    String replicasManagedBy) {

  /** Written by the Deployment controller, not by the owner: neither restored nor compared. */
  static final Set<String> CONTROLLER_ANNOTATIONS = Set.of("deployment.kubernetes.io/revision");

  /**
   * A Deployment's annotations, split: the controller's own ({@code controllers} true) or the
   * owner's. A checkpoint keeps the owner's; a restore keeps the controller's on the live object.
   */
  public static Map<String, String> annotations(Deployment d, boolean controllers) {
    Map<String, String> kept = new LinkedHashMap<>();
    if (d.getMetadata().getAnnotations() != null) {
      d.getMetadata()
          .getAnnotations()
          .forEach(
              (k, v) -> {
                if (CONTROLLER_ANNOTATIONS.contains(k) == controllers) {
                  kept.put(k, v);
                }
              });
    }
    return kept;
  }

  private static final ObjectMapper CANONICAL =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  /**
   * The part of a live Deployment that a checkpoint keeps: labels, annotations and the whole spec.
   * Status, resourceVersion, uid and managed fields belong to the cluster.
   */
  public static Deployment restorable(Deployment live) {
    Map<String, String> annotations = annotations(live, false);
    return new DeploymentBuilder()
        .withApiVersion("apps/v1")
        .withKind("Deployment")
        .withNewMetadata()
        .withName(live.getMetadata().getName())
        .withNamespace(live.getMetadata().getNamespace())
        .withLabels(live.getMetadata().getLabels())
        .withAnnotations(annotations.isEmpty() ? null : annotations)
        .endMetadata()
        .withSpec(Serialization.clone(live.getSpec()))
        .build();
  }

  /** SHA-256 of the canonical JSON of what {@link #restorable} keeps. */
  public static String specHash(Deployment deployment) {
    return sha256(canonical(restorable(deployment)));
  }

  /**
   * The hash a live Deployment is compared with this checkpoint by: without {@code spec.replicas}
   * when an autoscaler owns them, because putting back the replica count of the checkpoint would
   * scale down under the very load that fired the alert, and the autoscaler would change it again
   * at once.
   */
  public String comparableHash(Deployment live) {
    if (replicasManagedBy == null) {
      return specHash(live);
    }
    Deployment copy = restorable(live);
    copy.getSpec().setReplicas(null);
    return sha256(canonical(copy));
  }

  public static String configMapHash(ConfigMap cm) {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("data", cm.getData());
    content.put("binaryData", cm.getBinaryData());
    content.put("immutable", cm.getImmutable());
    return sha256(canonical(content));
  }

  public static String secretHash(Secret secret) {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("type", secret.getType());
    content.put("data", secret.getData());
    content.put("immutable", secret.getImmutable());
    return sha256(canonical(content));
  }

  public static String routeHash(GenericKubernetesResource route) {
    return sha256(canonical(route.getAdditionalProperties().get("spec")));
  }

  /**
   * Content hashes by {@code ConfigMap/<name>}, {@code Secret/<name>}, {@code HTTPRoute/<name>}.
   */
  public Map<String, String> configHashes() {
    return configHashes(java.util.function.UnaryOperator.identity());
  }

  /**
   * The same, with each Secret's hash passed through {@code secretDigest}: what leaves the service
   * is keyed, so a guessable password cannot be found again from its published hash.
   */
  public Map<String, String> configHashes(java.util.function.UnaryOperator<String> secretDigest) {
    Map<String, String> hashes = new LinkedHashMap<>();
    configMaps.forEach((name, cm) -> hashes.put("ConfigMap/" + name, configMapHash(cm)));
    secrets.forEach((name, s) -> hashes.put("Secret/" + name, secretDigest.apply(secretHash(s))));
    if (httpRoute != null) {
      hashes.put("HTTPRoute/" + httpRoute.getMetadata().getName(), routeHash(httpRoute));
    }
    return hashes;
  }

  /** Names of the ConfigMaps the pod template references, through env, envFrom or volumes. */
  public static Set<String> referencedConfigMaps(PodSpec pod) {
    return referenced(
        pod,
        ref -> ref.getConfigMapKeyRef() == null ? null : ref.getConfigMapKeyRef().getName(),
        from -> from.getConfigMapRef() == null ? null : from.getConfigMapRef().getName(),
        v -> v.getConfigMap() == null ? null : v.getConfigMap().getName(),
        p -> p.getConfigMap() == null ? null : p.getConfigMap().getName());
  }

  /** Names of the Secrets the pod template references, through env, envFrom or volumes. */
  public static Set<String> referencedSecrets(PodSpec pod) {
    return referenced(
        pod,
        ref -> ref.getSecretKeyRef() == null ? null : ref.getSecretKeyRef().getName(),
        from -> from.getSecretRef() == null ? null : from.getSecretRef().getName(),
        v -> v.getSecret() == null ? null : v.getSecret().getSecretName(),
        p -> p.getSecret() == null ? null : p.getSecret().getName());
  }

  /** One walk over every place a pod template can name a ConfigMap or Secret. */
  private static Set<String> referenced(
      PodSpec pod,
      Function<EnvVarSource, String> envRef,
      Function<EnvFromSource, String> envFromRef,
      Function<Volume, String> volumeRef,
      Function<VolumeProjection, String> projectedRef) {
    Set<String> names = new TreeSet<>();
    containers(pod)
        .forEach(
            c -> {
              if (c.getEnv() != null) {
                c.getEnv().stream()
                    .filter(e -> e.getValueFrom() != null)
                    .map(e -> envRef.apply(e.getValueFrom()))
                    .filter(Objects::nonNull)
                    .forEach(names::add);
              }
              if (c.getEnvFrom() != null) {
                c.getEnvFrom().stream()
                    .map(envFromRef)
                    .filter(Objects::nonNull)
                    .forEach(names::add);
              }
            });
    for (Volume v : volumes(pod)) {
      String name = volumeRef.apply(v);
      if (name != null) {
        names.add(name);
      }
      if (v.getProjected() != null && v.getProjected().getSources() != null) {
        v.getProjected().getSources().stream()
            .map(projectedRef)
            .filter(Objects::nonNull)
            .forEach(names::add);
      }
    }
    return names;
  }

  private static Stream<Container> containers(PodSpec pod) {
    return Stream.concat(
        pod.getContainers() == null ? Stream.empty() : pod.getContainers().stream(),
        pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream());
  }

  private static Iterable<Volume> volumes(PodSpec pod) {
    return pod.getVolumes() == null ? java.util.List.of() : pod.getVolumes();
  }

  /**
   * JSON with keys sorted and nulls, empty objects and empty arrays dropped: an API server that
   * returns {@code []} where the checkpoint had nothing must not look like a different spec.
   */
  static String canonical(Object value) {
    JsonNode tree = Serialization.jsonMapper().valueToTree(value);
    prune(tree);
    try {
      return CANONICAL.writeValueAsString(CANONICAL.treeToValue(tree, Object.class));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean prune(JsonNode node) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      while (fields.hasNext()) {
        if (prune(fields.next().getValue())) {
          fields.remove();
        }
      }
      return object.isEmpty();
    }
    if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        prune(element);
      }
      return array.isEmpty();
    }
    return node == null || node.isNull();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
