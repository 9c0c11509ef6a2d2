package dev.patchops.orchestrator.mirror;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What the orchestrator holds in a namespace it made: the rules of the ClusterRole {@link
 * #CLUSTER_ROLE} it binds to itself there (deploy/kubernetes/base/test-orchestrator.yaml; the test
 * RbacCallsTest holds the two equal). Without escalate the API server lets it create a Role only
 * when it holds every right the Role grants, and bind a role only when it holds all of it: a copy
 * that needs more is refused here, with its reason, before anything is made. Pure.
 */
public final class MirrorGrants {
  public static final String CLUSTER_ROLE = "patchops-test-orchestrator-mirror";

  /** The name of the RoleBinding that grants it to the orchestrator in each of its namespaces. */
  public static final String SELF_BINDING = "patchops-test-orchestrator";

  /**
   * The ClusterRoles a user binds in a production namespace to make it one PatchOps manages
   * (docs/deploy.md): those bindings are PatchOps' access, never copied into a mirror.
   */
  public static final Set<String> PATCHOPS_ROLES =
      Set.of("patchops-rollout-target", "patchops-test-orchestrator-source");

  /** A binding of one of {@link #PATCHOPS_ROLES}. */
  public static boolean patchOpsOwn(RoleBinding binding) {
    return binding.getRoleRef() != null
        && "ClusterRole".equals(binding.getRoleRef().getKind())
        && PATCHOPS_ROLES.contains(binding.getRoleRef().getName());
  }

  /** One rule of {@link #CLUSTER_ROLE}. */
  public record Rule(String group, List<String> resources, List<String> verbs) {}

  private static final List<String> COPIED =
      List.of("get", "list", "watch", "create", "delete", "deletecollection");
  private static final List<String> READ = List.of("get", "list", "watch");

  public static final List<Rule> HELD =
      List.of(
          new Rule(
              "",
              List.of(
                  "configmaps", "secrets", "serviceaccounts", "services", "persistentvolumeclaims"),
              COPIED),
          new Rule("", List.of("resourcequotas", "limitranges"), List.of("create", "delete")),
          new Rule("", List.of("pods", "endpoints"), READ),
          new Rule("", List.of("pods/log"), List.of("get")),
          new Rule("", List.of("events"), List.of("create", "patch")),
          new Rule("apps", List.of("deployments", "statefulsets"), COPIED),
          new Rule("apps", List.of("replicasets"), READ),
          new Rule("batch", List.of("jobs", "cronjobs"), COPIED),
          new Rule("networking.k8s.io", List.of("ingresses"), COPIED),
          new Rule("networking.k8s.io", List.of("networkpolicies"), List.of("create", "delete")),
          new Rule("policy", List.of("poddisruptionbudgets"), COPIED),
          new Rule("autoscaling", List.of("horizontalpodautoscalers"), COPIED),
          new Rule("rbac.authorization.k8s.io", List.of("roles", "rolebindings"), COPIED),
          new Rule(
              "coordination.k8s.io",
              List.of("leases"),
              List.of("get", "list", "watch", "create", "update", "patch")));

  private MirrorGrants() {}

  /** Whether {@code held} grants {@code verb} on {@code group}/{@code resource}. */
  static boolean holds(List<Rule> held, String group, String resource, String verb) {
    return held.stream()
        .anyMatch(
            r ->
                r.group().equals(group)
                    && r.resources().contains(resource)
                    && r.verbs().contains(verb));
  }

  /**
   * Why the planned copies could not be made by a holder of {@code held} without escalate or bind:
   * each Role granting a right it lacks (a wildcard is a right it lacks), each Role naming
   * nonResourceURLs, each RoleBinding to a ClusterRole. Empty when all can be copied.
   */
  public static List<String> refusals(List<HasMetadata> copies, List<Rule> held) {
    List<String> refusals = new ArrayList<>();
    for (HasMetadata copy : copies) {
      if (copy instanceof Role role) {
        List<String> missing = new ArrayList<>();
        for (PolicyRule rule : role.getRules() == null ? List.<PolicyRule>of() : role.getRules()) {
          if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()) {
            missing.add("nonResourceURLs " + rule.getNonResourceURLs());
          }
          for (String group : nonNull(rule.getApiGroups())) {
            for (String resource : nonNull(rule.getResources())) {
              for (String verb : nonNull(rule.getVerbs())) {
                if (!holds(held, group, resource, verb)) {
                  missing.add(verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource);
                }
              }
            }
          }
        }
        if (!missing.isEmpty()) {
          refusals.add(
              "Role "
                  + role.getMetadata().getName()
                  + " grants "
                  + String.join(", ", missing.stream().distinct().toList())
                  + ", which the orchestrator does not hold in its mirrors");
        }
      } else if (copy instanceof RoleBinding binding
          && binding.getRoleRef() != null
          && "ClusterRole".equals(binding.getRoleRef().getKind())) {
        refusals.add(
            "RoleBinding "
                + binding.getMetadata().getName()
                + " binds ClusterRole "
                + binding.getRoleRef().getName()
                + ", which the orchestrator may not bind");
      }
    }
    return refusals;
  }

  /** Throws before anything is made when a copy needs more than the orchestrator holds. */
  public static void check(List<HasMetadata> copies) {
    List<String> refusals = refusals(copies, HELD);
    if (!refusals.isEmpty()) {
      throw new MirrorRefusedException(
          "the orchestrator copies only RBAC it could have created itself: "
              + String.join("; ", refusals));
    }
  }

  private static List<String> nonNull(List<String> values) {
    return values == null ? List.of() : values;
  }
}
