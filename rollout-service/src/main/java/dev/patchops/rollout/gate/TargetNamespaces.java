package dev.patchops.rollout.gate;

import java.util.List;
import java.util.Optional;

/**
 * Where a rollout may go. PatchOps' own namespace and the cluster's ({@code kube-*}) never: a
 * rollout there could replace PatchOps' own images or the control plane's, with PatchOps' rights.
 * Anywhere else only on {@code rollout.target-namespaces} (names, or prefixes ending in {@code *}),
 * the namespaces the service is granted Secrets and ConfigMaps in. Pure.
 */
public final class TargetNamespaces {
  /** Whatever the deployment calls its own namespace, this one is PatchOps'. */
  public static final String PATCHOPS = "patchops";

  private TargetNamespaces() {}

  public static boolean isProtected(String namespace, String ownNamespace) {
    return namespace == null
        || namespace.isBlank()
        || namespace.equals(PATCHOPS)
        || namespace.equals(ownNamespace)
        || namespace.startsWith("kube-");
  }

  public static boolean listed(List<String> patterns, String namespace) {
    for (String raw : patterns) {
      String pattern = raw.trim();
      if (pattern.endsWith("*")) {
        if (namespace.startsWith(pattern.substring(0, pattern.length() - 1))) {
          return true;
        }
      } else if (!pattern.isEmpty() && pattern.equals(namespace)) {
        return true;
      }
    }
    return false;
  }

  /** Why a start into {@code namespace} is refused, or empty when it may go there. */
  public static Optional<StartGate.Refusal> refusal(
      List<String> patterns, String ownNamespace, String namespace) {
    if (isProtected(namespace, ownNamespace)) {
      return Optional.of(
          new StartGate.Refusal(
              StartGate.Gate.PROTECTED_NAMESPACE,
              "namespace "
                  + namespace
                  + " is never a rollout target: it is PatchOps' own or the cluster's (kube-*)"));
    }
    if (!listed(patterns, namespace)) {
      return Optional.of(
          new StartGate.Refusal(
              StartGate.Gate.TARGET_NAMESPACE,
              "namespace "
                  + namespace
                  + " is not on rollout.target-namespaces "
                  + (patterns.isEmpty() ? "(empty: nothing may be rolled out)" : patterns)));
    }
    return Optional.empty();
  }
}
