package dev.patchops.kubectl;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The common kubeconfig (one file; a token or client certificate; a CA), read as a plain YAML tree:
 * fabric8's {@code Config.autoConfigure} first registers every model class of the client (a third
 * of a short command's CPU), and binding the kubeconfig model costs another sixth. Anything else
 * (several files, exec or auth-provider plugins, basic auth) returns null and takes the full path.
 */
final class Kubeconfig {
  /** The client's configuration for the chosen context, and the names of all contexts. */
  record Chosen(Config config, String context, List<String> contexts) {}

  private Kubeconfig() {}

  static Path file(String flag) {
    if (flag != null) {
      return Path.of(flag);
    }
    String env = System.getenv("KUBECONFIG");
    if (env != null && !env.isBlank()) {
      return env.contains(java.io.File.pathSeparator) ? null : Path.of(env);
    }
    return Path.of(System.getProperty("user.home"), ".kube", "config");
  }

  static Chosen read(Path file, String context) {
    if (file == null || !Files.isRegularFile(file)) {
      return null;
    }
    Object kc;
    try {
      kc = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return null;
    }
    List<Object> contexts = Node.list(kc, "contexts");
    List<String> names = contexts.stream().map(c -> Node.text(c, "name")).toList();
    String name = context != null ? context : Node.text(kc, "current-context");
    if (name == null || name.isBlank()) {
      return null;
    }
    if (!names.contains(name)) {
      return new Chosen(null, name, names);
    }
    Object ctx = Node.at(named(contexts, name), "context");
    Object cluster =
        Node.at(named(Node.list(kc, "clusters"), Node.text(ctx, "cluster")), "cluster");
    Object user = Node.at(named(Node.list(kc, "users"), Node.text(ctx, "user")), "user");
    if (Node.text(cluster, "server") == null
        || Node.at(cluster, "proxy-url") != null
        || Node.at(user, "exec") != null
        || Node.at(user, "auth-provider") != null
        || Node.at(user, "username") != null
        || Node.at(user, "tokenFile") != null) {
      return null;
    }
    boolean insecure = Node.flag(cluster, "insecure-skip-tls-verify");
    Path dir = file.toAbsolutePath().getParent();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(Node.text(cluster, "server"))
            .withTrustCerts(insecure)
            .withDisableHostnameVerification(insecure)
            .withCaCertData(Node.text(cluster, "certificate-authority-data"))
            .withCaCertFile(resolve(dir, Node.text(cluster, "certificate-authority")))
            .withOauthToken(Node.text(user, "token"))
            .withClientCertData(Node.text(user, "client-certificate-data"))
            .withClientCertFile(resolve(dir, Node.text(user, "client-certificate")))
            .withClientKeyData(Node.text(user, "client-key-data"))
            .withClientKeyFile(resolve(dir, Node.text(user, "client-key")))
            .withNamespace(Node.text(ctx, "namespace"))
            .build();
    return new Chosen(config, name, names);
  }

  /** The entry of a kubeconfig list (contexts, clusters, users) with that name, or null. */
  private static Object named(List<Object> entries, String name) {
    return name == null
        ? null
        : entries.stream().filter(e -> name.equals(Node.text(e, "name"))).findFirst().orElse(null);
  }

  private static String resolve(Path dir, String file) {
    return file == null ? null : dir.resolve(file).toString();
  }
}
