package dev.patchops.rollout.canary.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gateway API traffic split on an HTTPRoute, worked on its untyped spec: in every rule that sends
 * traffic to the stable Service, the stable backend gets {@code 100 - weight} and a canary backend
 * beside it gets {@code weight}. Rules that do not reach the stable Service are left alone.
 */
final class RouteWeights {
  private RouteWeights() {}

  @SuppressWarnings("unchecked")
  static Set<String> backendNames(GenericKubernetesResource route) {
    Set<String> names = new LinkedHashSet<>();
    for (Map<String, Object> rule : rules(route)) {
      for (Map<String, Object> ref :
          (List<Map<String, Object>>) rule.getOrDefault("backendRefs", List.of())) {
        if (ref.get("name") != null
            && (ref.get("kind") == null || "Service".equals(ref.get("kind")))) {
          names.add((String) ref.get("name"));
        }
      }
    }
    return names;
  }

  @SuppressWarnings("unchecked")
  static void split(GenericKubernetesResource route, String stable, String canary, int weight) {
    for (Map<String, Object> rule : rules(route)) {
      List<Map<String, Object>> refs = (List<Map<String, Object>>) rule.get("backendRefs");
      if (refs == null) {
        continue;
      }
      Map<String, Object> stableRef = null;
      for (Map<String, Object> ref : refs) {
        if (stable.equals(ref.get("name"))) {
          stableRef = ref;
        }
      }
      if (stableRef == null) {
        continue;
      }
      List<Map<String, Object>> rebuilt = new ArrayList<>();
      for (Map<String, Object> ref : refs) {
        if (!canary.equals(ref.get("name"))) {
          rebuilt.add(ref);
        }
      }
      stableRef.put("weight", 100 - weight);
      Map<String, Object> canaryRef = new LinkedHashMap<>(stableRef);
      canaryRef.put("name", canary);
      canaryRef.put("weight", weight);
      rebuilt.add(canaryRef);
      rule.put("backendRefs", rebuilt);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> rules(GenericKubernetesResource route) {
    Object spec = route.getAdditionalProperties().get("spec");
    if (!(spec instanceof Map<?, ?> map)) {
      return List.of();
    }
    Object rules = ((Map<String, Object>) map).get("rules");
    return rules instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
  }
}
