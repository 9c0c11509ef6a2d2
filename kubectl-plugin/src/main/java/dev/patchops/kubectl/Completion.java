package dev.patchops.kubectl;

import dev.patchops.kubectl.Cluster.Kind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Shell completion. The scripts ask the plugin ({@code kubectl-patchops __complete WORDS...}), so
 * names come from the cluster; kubectl 1.26+ asks the same through {@code
 * kubectl_complete-patchops}, which makes {@code kubectl patchops <TAB>} complete in kubectl's own
 * completion.
 */
final class Completion {
  static final List<String> VERBS =
      List.of(
          "get", "list", "promote", "pause", "resume", "abort", "retry", "history", "completion");
  private static final Map<String, List<String>> FLAGS =
      Map.of(
          "get", List.of("--watch", "-w", "--output", "-o"),
          "list", List.of("--output", "-o", "--all-namespaces", "-A"),
          "history", List.of("--output", "-o", "--all-namespaces", "-A"),
          "promote", List.of("--full"));
  private static final List<String> GLOBAL_FLAGS =
      List.of("--namespace", "-n", "--context", "--kubeconfig");

  private Completion() {}

  static String script(String shell) {
    return switch (shell) {
      case "bash" ->
          """
          # kubectl-patchops bash completion: source <(kubectl patchops completion bash)
          _kubectl_patchops() {
            local IFS=$'\\n'
            COMPREPLY=($(kubectl-patchops __complete "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null | grep -v '^:'))
          }
          complete -o nosort -F _kubectl_patchops kubectl-patchops 2>/dev/null \\
            || complete -F _kubectl_patchops kubectl-patchops
          """;
      case "zsh" ->
          """
          #compdef kubectl-patchops
          # kubectl-patchops zsh completion: source <(kubectl patchops completion zsh)
          _kubectl_patchops() {
            local -a candidates
            candidates=("${(@f)$(kubectl-patchops __complete "${(@)words[2,CURRENT]}" 2>/dev/null | grep -v '^:')}")
            compadd -a candidates
          }
          if (( $+functions[compdef] )); then
            compdef _kubectl_patchops kubectl-patchops
          else
            autoload -U compinit && compinit && compdef _kubectl_patchops kubectl-patchops
          fi
          """;
      default ->
          throw new PluginException("error: unsupported shell \"" + shell + "\": bash or zsh");
    };
  }

  /** What may come next after {@code words}, whose last one is the word being typed. */
  static List<String> candidates(List<String> words) {
    String typed = words.isEmpty() ? "" : words.get(words.size() - 1);
    List<String> before = words.isEmpty() ? List.of() : words.subList(0, words.size() - 1);
    String previous = before.isEmpty() ? null : before.get(before.size() - 1);
    String namespace = null;
    String context = null;
    String kubeconfig = null;
    List<String> positional = new ArrayList<>();
    for (int i = 0; i < before.size(); i++) {
      String w = before.get(i);
      boolean takesValue =
          List.of("-n", "--namespace", "--context", "--kubeconfig", "-o", "--output").contains(w);
      if (takesValue && i + 1 < before.size()) {
        String value = before.get(++i);
        switch (w) {
          case "-n", "--namespace" -> namespace = value;
          case "--context" -> context = value;
          case "--kubeconfig" -> kubeconfig = value;
          default -> {}
        }
      } else if (!w.startsWith("-")) {
        positional.add(w);
      }
    }
    Set<String> options = new LinkedHashSet<>();
    if (previous != null && List.of("-o", "--output").contains(previous)) {
      options.addAll(List.of("json", "yaml"));
    } else if (previous != null && List.of("-n", "--namespace").contains(previous)) {
      options.addAll(fromCluster(kubeconfig, context, null, null));
    } else if ("--context".equals(previous)) {
      options.addAll(contexts(kubeconfig));
    } else if ("--kubeconfig".equals(previous)) {
      return List.of();
    } else if (typed.startsWith("-")) {
      options.addAll(GLOBAL_FLAGS);
      if (!positional.isEmpty()) {
        options.addAll(FLAGS.getOrDefault(positional.get(0), List.of()));
      }
    } else if (positional.isEmpty()) {
      options.addAll(VERBS);
    } else {
      String verb = positional.get(0);
      int at = positional.size();
      switch (verb) {
        case "get" -> {
          if (at == 1) {
            options.addAll(List.of("rollout", "test"));
          } else if (at == 2) {
            options.addAll(
                fromCluster(kubeconfig, context, namespace, Main.kind(positional.get(1))));
          }
        }
        case "list", "ls" -> {
          if (at == 1) {
            options.addAll(List.of("rollouts", "tests"));
          }
        }
        case "promote", "pause", "resume", "abort", "retry" -> {
          if (at == 1) {
            options.addAll(fromCluster(kubeconfig, context, namespace, Kind.ROLLOUT));
          }
        }
        case "history" -> {
          if (at == 1) {
            try (Cluster cluster = Cluster.connect(kubeconfig, context, namespace)) {
              for (GenericKubernetesResource r : cluster.list(Kind.ROLLOUT, cluster.namespace())) {
                String d = Node.text(r, "spec", "deployment");
                if (d != null) {
                  options.add(d);
                }
              }
            } catch (RuntimeException e) {
              // Completion offers what it can; an unreachable cluster offers nothing.
            }
          }
        }
        case "completion" -> {
          if (at == 1) {
            options.addAll(List.of("bash", "zsh"));
          }
        }
        default -> {}
      }
    }
    return options.stream().filter(o -> o.startsWith(typed)).toList();
  }

  /** Names of {@code kind} in the namespace, or the namespaces when {@code kind} is null. */
  private static List<String> fromCluster(
      String kubeconfig, String context, String namespace, Kind kind) {
    try (Cluster cluster = Cluster.connect(kubeconfig, context, namespace)) {
      List<? extends HasMetadata> items =
          kind == null
              ? cluster.client().namespaces().list().getItems()
              : cluster.list(kind, cluster.namespace());
      return items.stream().map(i -> i.getMetadata().getName()).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private static List<String> contexts(String kubeconfig) {
    try {
      if (kubeconfig != null) {
        System.setProperty("kubeconfig", kubeconfig);
      }
      List<NamedContext> contexts = Config.autoConfigure(null).getContexts();
      return contexts == null ? List.of() : contexts.stream().map(NamedContext::getName).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }
}
