package dev.patchops.kubectl;

import picocli.CommandLine.Option;

/** kubectl's own flags, accepted before or after the verb. */
final class Globals {
  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NAMESPACE",
      description = "The namespace (default: the context's, else default).")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "Every namespace (list, history).")
  boolean allNamespaces;

  @Option(
      names = "--context",
      paramLabel = "CONTEXT",
      description = "The kubeconfig context to use.")
  String context;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "The kubeconfig (default: $KUBECONFIG, ~/.kube/config).")
  String kubeconfig;

  /**
   * This command's flags over the root's: {@code kubectl patchops -n a get rollout x -n b} is b.
   */
  Globals over(Globals root) {
    Globals g = new Globals();
    g.namespace = namespace != null ? namespace : root.namespace;
    g.allNamespaces = allNamespaces || root.allNamespaces;
    g.context = context != null ? context : root.context;
    g.kubeconfig = kubeconfig != null ? kubeconfig : root.kubeconfig;
    return g;
  }

  Cluster connect() {
    return Cluster.connect(kubeconfig, context, namespace);
  }
}
