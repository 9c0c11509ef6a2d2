package dev.patchops.kubectl;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line, parsed by hand: kubectl's flags anywhere among the words, {@code -n x}, {@code
 * -nx}, {@code --namespace=x}. A parser library costs a fifth of a short command's CPU.
 */
final class Args {
  String namespace;
  boolean allNamespaces;
  String context;
  String kubeconfig;
  String output;
  boolean watch;
  boolean full;
  boolean help;
  boolean version;
  final List<String> words = new ArrayList<>();

  /** Flags that take a value, with their short forms. */
  private static final Set<String> VALUED =
      Set.of("-n", "--namespace", "--context", "--kubeconfig", "-o", "--output");

  static Args parse(String[] argv) {
    Args a = new Args();
    boolean onlyWords = false;
    for (int i = 0; i < argv.length; i++) {
      String w = argv[i];
      if (onlyWords || !w.startsWith("-") || w.equals("-")) {
        a.words.add(w);
        continue;
      }
      if (w.equals("--")) {
        onlyWords = true;
        continue;
      }
      String flag = w;
      String value = null;
      int eq = w.indexOf('=');
      if (w.startsWith("--") && eq > 0) {
        flag = w.substring(0, eq);
        value = w.substring(eq + 1);
      } else if (!w.startsWith("--") && w.length() > 2 && VALUED.contains(w.substring(0, 2))) {
        flag = w.substring(0, 2);
        value = w.substring(2);
      }
      if (VALUED.contains(flag) && value == null) {
        if (i + 1 >= argv.length) {
          throw new PluginException("error: flag needs an argument: " + flag);
        }
        value = argv[++i];
      }
      switch (flag) {
        case "-n", "--namespace" -> a.namespace = value;
        case "--context" -> a.context = value;
        case "--kubeconfig" -> a.kubeconfig = value;
        case "-o", "--output" -> a.output = value;
        case "-A", "--all-namespaces" -> a.allNamespaces = true;
        case "-w", "--watch" -> a.watch = true;
        case "--full" -> a.full = true;
        case "-h", "--help" -> a.help = true;
        case "--version" -> a.version = true;
        default -> throw new PluginException("error: unknown flag: " + flag);
      }
    }
    return a;
  }

  /** The verb's arguments: exactly {@code min..max} words after the verb, or a usage error. */
  List<String> operands(String usage, int min, int max) {
    List<String> rest = words.subList(1, words.size());
    if (rest.size() < min || rest.size() > max) {
      throw new PluginException("error: usage: kubectl patchops " + usage);
    }
    return rest;
  }

  void only(String verb, boolean allowed, String flag) {
    if (flag != null && !allowed) {
      throw new PluginException("error: unknown flag: " + flag + " (for " + verb + ")");
    }
  }

  Cluster connect() {
    return Cluster.connect(kubeconfig, context, namespace);
  }
}
