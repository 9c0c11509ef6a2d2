package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.sandbox.Manifests;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged services, started as each Deployment of deploy/ starts them (its environment, its
 * profile): with every variable the Deployment sets, the required-settings check lets the service
 * go on starting; without any one of the Secret or ConfigMap keys it requires, the service refuses
 * at once, in one line naming that variable.
 */
class StartupRefusalIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final String REFUSAL = "refuses to start";

  private record Outcome(boolean exited, int exitCode, String output) {}

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ticket-service",
        "test-orchestrator",
        "rollout-service",
        "audit-service",
        "audit-witness"
      })
  void aMissingSecretKeyIsRefusedInOneLineAndTheDeploymentsEnvironmentIsEnough(String deployment)
      throws Exception {
    Container container = container(deployment);
    Map<String, String> env = environment(container);
    String jar = jarOf(container.getImage());

    Outcome complete = run(jar, env, 20);
    assertThat(complete.output())
        .as("%s with the environment its Deployment gives it", deployment)
        .doesNotContain(REFUSAL);

    List<EnvVar> required =
        container.getEnv().stream()
            .filter(e -> e.getValueFrom() != null)
            .filter(
                e ->
                    (e.getValueFrom().getSecretKeyRef() != null
                            && !Boolean.TRUE.equals(
                                e.getValueFrom().getSecretKeyRef().getOptional()))
                        || (e.getValueFrom().getConfigMapKeyRef() != null
                            && !Boolean.TRUE.equals(
                                e.getValueFrom().getConfigMapKeyRef().getOptional())))
            .toList();
    assertThat(required).as("%s takes required settings from Secrets", deployment).isNotEmpty();
    for (EnvVar variable : required) {
      Map<String, String> without = new LinkedHashMap<>(env);
      without.remove(variable.getName());
      Outcome refused = run(jar, without, 30);
      assertThat(refused.exited()).as("%s without %s", deployment, variable.getName()).isTrue();
      assertThat(refused.exitCode()).isNotZero();
      List<String> lines = refused.output().lines().filter(l -> !l.isBlank()).toList();
      assertThat(lines)
          .as("%s without %s", deployment, variable.getName())
          .singleElement()
          .asString()
          .contains(REFUSAL)
          .contains(variable.getName());
    }
  }

  private static Container container(String name) {
    for (HasMetadata object :
        Manifests.load(Manifests.deployDir(REPO).resolve("base"), Set.of("Deployment"))) {
      if (object instanceof Deployment d && name.equals(d.getMetadata().getName())) {
        return d.getSpec().getTemplate().getSpec().getContainers().get(0);
      }
    }
    throw new AssertionError("no Deployment " + name + " in deploy/kubernetes/base");
  }

  /**
   * The image's service is the module whose packaged jar runs: audit-witness runs audit-service.
   */
  private static String jarOf(String image) {
    String service = image.substring(image.lastIndexOf('/') + 1).split("[:@]")[0];
    return REPO.resolve(service).resolve("target/quarkus-app/quarkus-run.jar").toString();
  }

  /**
   * Placeholder values for everything the Deployment sets: a database and broker nobody listens on,
   * so a service that passes the check fails later, in Quarkus, on the connection.
   */
  private static Map<String, String> environment(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : container.getEnv()) {
      String value = e.getValue();
      if (value == null) {
        value = e.getName().endsWith("_URL") ? "jdbc:postgresql://127.0.0.1:1/none" : "placeholder";
      }
      env.put(e.getName(), value);
    }
    env.put("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1");
    return env;
  }

  private static Outcome run(String jar, Map<String, String> env, int seconds)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.port=0",
                "-Dquarkus.http.host=127.0.0.1",
                "-jar",
                jar)
            .redirectErrorStream(true);
    // Only what the Pod would have: nothing of this build's own environment leaks in.
    Map<String, String> processEnv = builder.environment();
    String path = processEnv.get("PATH");
    processEnv.clear();
    processEnv.put("PATH", path == null ? "/usr/bin:/bin" : path);
    processEnv.putAll(env);
    Process process = builder.start();
    StringBuilder output = new StringBuilder();
    Thread reader =
        new Thread(
            () -> {
              try {
                output.append(
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                // the process was killed: what was read so far is the output
              }
            });
    reader.start();
    boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
    if (!exited) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return new Outcome(exited, exited ? process.exitValue() : -1, output.toString());
  }
}
