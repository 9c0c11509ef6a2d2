package dev.patchops.orchestrator.mirror;

import java.util.List;
import java.util.Set;

/**
 * Which production namespaces may be mirrored: {@code orchestrator.mirror.source-namespaces}, each
 * entry a name or a prefix ending in {@code *} ({@code shop-*}). No entry allows nothing, and the
 * cluster's own namespaces are never mirrored, whatever the list says. Pure.
 */
public final class SourceNamespaces {
  static final Set<String> NEVER = Set.of("kube-system", "kube-public", "kube-node-lease");

  private SourceNamespaces() {}

  public static boolean allowed(List<String> patterns, String namespace) {
    if (namespace == null || namespace.isEmpty() || NEVER.contains(namespace)) {
      return false;
    }
    for (String raw : patterns) {
      String pattern = raw.trim();
      if (pattern.endsWith("*")) {
        String prefix = pattern.substring(0, pattern.length() - 1);
        if (namespace.startsWith(prefix)) {
          return true;
        }
      } else if (!pattern.isEmpty() && pattern.equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  /** Throws before anything is read or made when {@code namespace} may not be mirrored. */
  public static void check(List<String> patterns, String namespace) {
    if (!allowed(patterns, namespace)) {
      throw new MirrorRefusedException(
          "source namespace "
              + namespace
              + " is not on orchestrator.mirror.source-namespaces "
              + (patterns.isEmpty() ? "(empty: nothing may be mirrored)" : patterns));
    }
  }
}
