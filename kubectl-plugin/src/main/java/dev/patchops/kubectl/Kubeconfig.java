package dev.patchops.kubectl;

import io.fabric8.kubernetes.api.model.AuthInfo;
import io.fabric8.kubernetes.api.model.Cluster;
import io.fabric8.kubernetes.api.model.Context;
import io.fabric8.kubernetes.api.model.NamedAuthInfo;
import io.fabric8.kubernetes.api.model.NamedCluster;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The common kubeconfig (one file; a token or client certificate; a CA), read without fabric8's
 * {@code Config.autoConfigure}, which first registers every model class of the client: a third of a
 * short command's CPU. Anything else (several files, exec or auth-provider plugins, basic auth)
 * returns null and takes the full path.
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

  static Chosen read(Path file, String context, KubernetesSerialization serialization) {
    if (file == null || !Files.isRegularFile(file)) {
      return null;
    }
    io.fabric8.kubernetes.api.model.Config kc;
    try {
      kc =
          serialization.unmarshal(
              Files.readString(file), io.fabric8.kubernetes.api.model.Config.class);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    List<String> names =
        kc.getContexts() == null
            ? List.of()
            : kc.getContexts().stream().map(NamedContext::getName).toList();
    String name = context != null ? context : kc.getCurrentContext();
    if (name == null || name.isBlank()) {
      return null;
    }
    if (!names.contains(name)) {
      return new Chosen(null, name, names);
    }
    Context ctx =
        kc.getContexts().stream()
            .filter(c -> name.equals(c.getName()))
            .findFirst()
            .orElseThrow()
            .getContext();
    Cluster cluster =
        kc.getClusters() == null
            ? null
            : kc.getClusters().stream()
                .filter(c -> c.getName().equals(ctx.getCluster()))
                .map(NamedCluster::getCluster)
                .findFirst()
                .orElse(null);
    AuthInfo user =
        kc.getUsers() == null || ctx.getUser() == null
            ? new AuthInfo()
            : kc.getUsers().stream()
                .filter(u -> u.getName().equals(ctx.getUser()))
                .map(NamedAuthInfo::getUser)
                .findFirst()
                .orElse(new AuthInfo());
    if (cluster == null
        || cluster.getServer() == null
        || cluster.getProxyUrl() != null
        || user.getExec() != null
        || user.getAuthProvider() != null
        || user.getUsername() != null
        || user.getTokenFile() != null) {
      return null;
    }
    Path dir = file.toAbsolutePath().getParent();
    Config config =
        new ConfigBuilder(Config.empty())
            .withMasterUrl(cluster.getServer())
            .withTrustCerts(Boolean.TRUE.equals(cluster.getInsecureSkipTlsVerify()))
            .withDisableHostnameVerification(
                Boolean.TRUE.equals(cluster.getInsecureSkipTlsVerify()))
            .withCaCertData(cluster.getCertificateAuthorityData())
            .withCaCertFile(resolve(dir, cluster.getCertificateAuthority()))
            .withOauthToken(user.getToken())
            .withClientCertData(user.getClientCertificateData())
            .withClientCertFile(resolve(dir, user.getClientCertificate()))
            .withClientKeyData(user.getClientKeyData())
            .withClientKeyFile(resolve(dir, user.getClientKey()))
            .withNamespace(ctx.getNamespace())
            .build();
    return new Chosen(config, name, names);
  }

  private static String resolve(Path dir, String file) {
    return file == null ? null : dir.resolve(file).toString();
  }
}
