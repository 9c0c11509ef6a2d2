package dev.patchops.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;

/** Reading the untyped JSON of a custom resource: absent fields are null, never an exception. */
final class Node {
  private Node() {}

  static Object at(GenericKubernetesResource r, String... path) {
    Object current = r.getAdditionalProperties();
    for (String key : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  static Object at(Object from, String... path) {
    Object current = from;
    for (String key : path) {
      if (!(current instanceof Map<?, ?> map)) {
        return null;
      }
      current = map.get(key);
    }
    return current;
  }

  static String text(Object from, String... path) {
    Object v = from instanceof GenericKubernetesResource r ? at(r, path) : at(from, path);
    return v == null ? null : String.valueOf(v);
  }

  static Integer integer(Object from, String... path) {
    Object v = from instanceof GenericKubernetesResource r ? at(r, path) : at(from, path);
    if (v instanceof Number n) {
      return n.intValue();
    }
    if (v instanceof String s) {
      try {
        return Integer.parseInt(s.strip());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  static boolean flag(Object from, String... path) {
    Object v = from instanceof GenericKubernetesResource r ? at(r, path) : at(from, path);
    return Boolean.TRUE.equals(v) || "true".equals(v);
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object from, String... path) {
    Object v = from instanceof GenericKubernetesResource r ? at(r, path) : at(from, path);
    return v instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** The condition of {@code type} in {@code status.conditions}, or null. */
  static Map<?, ?> condition(GenericKubernetesResource r, String type) {
    for (Object c : list(r, "status", "conditions")) {
      if (c instanceof Map<?, ?> m && type.equals(m.get("type"))) {
        return m;
      }
    }
    return null;
  }

  static String orDash(String s) {
    return s == null || s.isBlank() ? "-" : s;
  }
}
