package dev.patchops.testing.kube;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The real kubectl on the PATH with the built {@code kubectl-patchops} plugin before it, talking to
 * the test control plane through a kubeconfig, as a platform engineer's shell does.
 */
public final class KubectlPlugin {
  /** Where the kubectl-plugin module assembles the plugin (launcher, jar, lib/). */
  public static final String BUILT = "kubectl-plugin/target/kubectl-patchops";

  private final Path kubectl;
  private final Path pluginDir;
  private final Path kubeconfig;
  private final Path cdsDir;

  private KubectlPlugin(Path kubectl, Path pluginDir, Path kubeconfig, Path cdsDir) {
    this.kubectl = kubectl;
    this.pluginDir = pluginDir;
    this.kubeconfig = kubeconfig;
    this.cdsDir = cdsDir;
  }

  /** kubectl and the plugin built in this checkout, on the test cluster as its administrator. */
  public static KubectlPlugin onTestCluster() {
    return new KubectlPlugin(kubectl(), builtPlugin(), TestCluster.kubeconfig(), cdsDir());
  }

  /** The same, with another kubeconfig (another user, a dead context). */
  public KubectlPlugin withKubeconfig(Path other) {
    return new KubectlPlugin(kubectl, pluginDir, other, cdsDir);
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  public Path pluginDir() {
    return pluginDir;
  }

  public Path kubectlBinary() {
    return kubectl;
  }

  /**
   * The same kubectl as ServiceAccount {@code namespace/name}, whose Role grants reading
   * Deployments and {@code verbs} on patchrollouts (none: no PatchOps access at all), through a
   * kubeconfig of its own whose current context is that user.
   */
  public KubectlPlugin asServiceAccount(String namespace, String name, List<String> verbs) {
    KubernetesClient admin = TestCluster.admin();
    admin
        .serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
        .createOr(c -> c.update());
    List<PolicyRule> rules = new ArrayList<>();
    rules.add(
        new PolicyRuleBuilder()
            .withApiGroups("apps")
            .withResources("deployments")
            .withVerbs("get", "list", "watch")
            .build());
    if (!verbs.isEmpty()) {
      rules.add(
          new PolicyRuleBuilder()
              .withApiGroups("patchops.dev")
              .withResources("patchrollouts")
              .withVerbs(verbs)
              .build());
    }
    admin
        .rbac()
        .roles()
        .inNamespace(namespace)
        .resource(
            new RoleBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withRules(rules)
                .build())
        .createOr(c -> c.update());
    admin
        .rbac()
        .roleBindings()
        .inNamespace(namespace)
        .resource(
            new RoleBindingBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewRoleRef("rbac.authorization.k8s.io", "Role", name)
                .addNewSubject()
                .withKind("ServiceAccount")
                .withName(name)
                .withNamespace(namespace)
                .endSubject()
                .build())
        .createOr(c -> c.update());
    try {
      Path file = Files.createTempFile(name, ".kubeconfig");
      Files.copy(kubeconfig, file, StandardCopyOption.REPLACE_EXISTING);
      KubectlPlugin as = withKubeconfig(file);
      String cluster = as.run("config", "view", "-o", "jsonpath={.clusters[0].name}").out();
      String token = TestCluster.tokenOf(namespace, name);
      for (String[] step :
          List.of(
              new String[] {"config", "set-credentials", name, "--token=" + token},
              new String[] {
                "config", "set-context", name, "--cluster=" + cluster, "--user=" + name
              },
              new String[] {"config", "use-context", name})) {
        Result r = as.run(step);
        if (r.exit() != 0) {
          throw new AssertionError(r.toString());
        }
      }
      return as;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** What one command printed and how it ended. */
  public record Result(int exit, String out, String err, long nanos) {
    @Override
    public String toString() {
      return "exit " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err;
    }
  }

  /** Runs {@code kubectl ARGS} to its end (at most a minute). */
  public Result run(String... args) {
    return exec(command(kubectl.toString(), args));
  }

  /** Runs a shell snippet with the same PATH and KUBECONFIG: completion scripts need a shell. */
  public Result bash(String script) {
    return exec(List.of("bash", "-c", script));
  }

  private Result exec(List<String> command) {
    try {
      Path out = Files.createTempFile("kubectl", ".out");
      Path err = Files.createTempFile("kubectl", ".err");
      try {
        long start = System.nanoTime();
        Process p =
            builder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
          throw new AssertionError(command + " did not end within 60 s: " + Files.readString(err));
        }
        long took = System.nanoTime() - start;
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err), took);
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new AssertionError(command + " could not run: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A command that goes on (a watch): its output is read as it comes. */
  public Running start(String... args) {
    try {
      Process p = builder(command(kubectl.toString(), args)).redirectErrorStream(true).start();
      return new Running(p);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** A running kubectl whose combined output is collected by a reader thread. */
  public static final class Running implements AutoCloseable {
    private final Process process;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;

    Running(Process process) {
      this.process = process;
      this.reader =
          new Thread(
              () -> {
                try (InputStream in = process.getInputStream()) {
                  byte[] buffer = new byte[8192];
                  int n;
                  while ((n = in.read(buffer)) >= 0) {
                    output.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                  }
                } catch (IOException e) {
                  output.append("\n[read failed: ").append(e).append(']');
                }
              },
              "kubectl-output");
      reader.setDaemon(true);
      reader.start();
    }

    public String output() {
      return output.toString();
    }

    public boolean alive() {
      return process.isAlive();
    }

    /** Waits for the command's end; its exit code, its output complete. */
    public int awaitExit(Duration within) {
      try {
        if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new AssertionError(
              "still running after " + within + "; output so far:\n" + output());
        }
        reader.join(5_000);
        return process.exitValue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }

    public boolean printed(Predicate<String> check) {
      return check.test(output());
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  private List<String> command(String first, String... args) {
    List<String> command = new ArrayList<>();
    command.add(first);
    command.addAll(List.of(args));
    return command;
  }

  private ProcessBuilder builder(List<String> command) {
    ProcessBuilder pb = new ProcessBuilder(command);
    Map<String, String> env = pb.environment();
    env.put(
        "PATH",
        pluginDir
            + File.pathSeparator
            + kubectl.getParent()
            + File.pathSeparator
            + env.getOrDefault("PATH", ""));
    env.put("KUBECONFIG", kubeconfig.toString());
    env.put("PATCHOPS_CDS_DIR", cdsDir.toString());
    env.remove("JAVA_TOOL_OPTIONS");
    return pb;
  }

  /** The plugin as the build assembled it, found from the module's directory up to the root. */
  public static Path builtPlugin() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path launcher = dir.resolve(BUILT).resolve("kubectl-patchops");
      if (Files.isExecutable(launcher)
          && Files.isRegularFile(dir.resolve(BUILT).resolve("patchops-kubectl.jar"))) {
        return launcher.getParent();
      }
      if (Files.isRegularFile(dir.resolve("mvnw"))
          && Files.isDirectory(dir.resolve("kubectl-plugin"))) {
        break;
      }
    }
    throw new AssertionError(
        "the kubectl plugin is not built: "
            + BUILT
            + " is missing; build it with ./mvnw -B -pl kubectl-plugin process-classes");
  }

  private static Path cdsDir() {
    Path dir = Path.of("target", "kubectl-patchops-cds").toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return dir;
  }

  /** kubectl from the PATH: the machine's, version 1.32 or later. */
  public static Path kubectl() {
    List<Path> path =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .filter(dir -> !dir.isBlank())
            .map(Path::of)
            .toList();
    Optional<Path> found =
        path.stream()
            .map(dir -> dir.resolve("kubectl"))
            .filter(f -> Files.isRegularFile(f) && Files.isExecutable(f))
            .findFirst();
    return found.orElseThrow(
        () ->
            new AssertionError(
                "kubectl is not on the PATH ("
                    + path
                    + "): these tests run the real kubectl with the plugin; install kubectl 1.32 or later"));
  }
}
