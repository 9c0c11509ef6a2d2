package dev.patchops.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/deploy.md followed as a new user would, against a real API server: the blocks it marks as
 * tested run in order in bash with the real kubectl (server-side apply of the dev overlay, the
 * secrets created with the documented commands), on a cluster that has the released CRDs of the
 * operators deploy/ relies on. Then every object of the overlay is on the server, each service's
 * Deployment is Available (its Pods played by the simulated kubelet, which refuses to start a
 * container whose Secret or key is missing), and the ValidatingAdmissionPolicy refuses the
 * orchestrator what it forbids.
 */
class DeployApplyTest {
  private static final String NS = "patchops";
  private static final String ORCHESTRATOR = "system:serviceaccount:patchops:test-orchestrator";
  private static final String TESTED = "<!-- tested by DeployApplyTest -->";
  private static final Set<String> BUILT_IN_GROUPS =
      Set.of(
          "",
          "apps",
          "batch",
          "policy",
          "autoscaling",
          "rbac.authorization.k8s.io",
          "networking.k8s.io",
          "admissionregistration.k8s.io",
          "apiextensions.k8s.io",
          "coordination.k8s.io",
          "patchops.dev");

  private static TestPlane plane;
  private static KubernetesClient admin;
  private static SimulatedKubelet kubelet;
  private static Path repo;
  private static Path work;

  @BeforeAll
  static void start() throws IOException {
    repo = Manifests.deployDir().getParent().getParent();
    work = Files.createTempDirectory("patchops-deploy");
    plane = TestPlane.start();
    admin = plane.admin();
    kubelet = new SimulatedKubelet(admin).start();
  }

  @AfterAll
  static void stop() throws IOException {
    if (kubelet != null) {
      kubelet.close();
    }
    if (plane != null) {
      plane.close();
    }
    if (work != null) {
      try (var files = Files.walk(work)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  @Test
  void theDocumentedInstallOfTheDevOverlayIsAcceptedComesUpAndIsPoliced() throws Exception {
    List<Map<String, Object>> overlay = render("deploy/kubernetes/overlays/dev");
    assertThat(overlay).as("objects of the dev overlay").isNotEmpty();

    installOperatorCrds(overlay);

    // Strimzi's operators act while the user applies: what they would create appears meanwhile.
    ScheduledExecutorService strimzi = Executors.newSingleThreadScheduledExecutor();
    strimzi.scheduleWithFixedDelay(
        DeployApplyTest::playStrimziOperators, 0, 300, TimeUnit.MILLISECONDS);
    Result walkthrough;
    try {
      walkthrough = bash(String.join("\n", testedBlocks()), userInputs());
    } finally {
      strimzi.shutdownNow();
    }
    System.out.println(walkthrough.output());
    assertThat(walkthrough.exit()).as(walkthrough.output() + "\n" + podProblems()).isZero();

    for (Map<String, Object> object : overlay) {
      assertThat(onServer(object)).as("on the server: %s", describe(object)).isNotNull();
    }

    List<String> deployments =
        overlay.stream().filter(o -> "Deployment".equals(o.get("kind"))).map(o -> name(o)).toList();
    assertThat(deployments)
        .contains(
            "ticket-service",
            "test-orchestrator",
            "rollout-service",
            "audit-service",
            "audit-witness");
    Result available =
        kubectl(
            "-n", NS, "wait", "--for=condition=Available", "deployment", "--all", "--timeout=120s");
    assertThat(available.exit()).as(available.output() + "\n" + podProblems()).isZero();
    for (String name : deployments) {
      Deployment d = admin.apps().deployments().inNamespace(NS).withName(name).get();
      assertThat(d.getStatus().getAvailableReplicas())
          .as(name)
          .isEqualTo(d.getSpec().getReplicas());
    }

    theAdmissionPolicyRefusesTheOrchestrator();
  }

  /** Deleting a namespace PatchOps did not make, as the orchestrator, is refused by the policy. */
  private void theAdmissionPolicyRefusesTheOrchestrator() throws Exception {
    admin
        .namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName("payments-prod")
                .addToLabels("team", "payments")
                .endMetadata()
                .build())
        .create();
    List<String> asOrchestrator =
        List.of(
            "--as=" + ORCHESTRATOR,
            "--as-group=system:serviceaccounts",
            "--as-group=system:serviceaccounts:patchops",
            "--as-group=system:authenticated");
    // A new policy is enforced once the API server has loaded it: a server-side dry run tells.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                kubectl(
                        concat(
                            asOrchestrator,
                            "delete",
                            "namespace",
                            "payments-prod",
                            "--dry-run=server"))
                    .output()
                    .contains("ValidatingAdmissionPolicy"));
    Result refused = kubectl(concat(asOrchestrator, "delete", "namespace", "payments-prod"));
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.output())
        .contains("Forbidden")
        .contains("patchops-orchestrator-deletes-only-its-namespaces")
        .contains(
            "the test-orchestrator may delete only namespaces labelled"
                + " app.kubernetes.io/managed-by=patchops and patchops.dev/run, not payments-prod");
    assertThat(admin.namespaces().withName("payments-prod").get().getStatus().getPhase())
        .isEqualTo("Active");
  }

  private static List<String> concat(List<String> first, String... rest) {
    List<String> all = new ArrayList<>(first);
    all.addAll(List.of(rest));
    return all;
  }

  /** The released CRDs of every kind the overlay uses from outside Kubernetes and PatchOps. */
  private static void installOperatorCrds(List<Map<String, Object>> overlay) {
    Set<String> kinds = new TreeSet<>();
    for (Map<String, Object> object : overlay) {
      String group = group(object);
      if (!BUILT_IN_GROUPS.contains(group)) {
        kinds.add(object.get("kind") + "." + group);
      }
    }
    Set<Path> files = new LinkedHashSet<>();
    for (String kind : kinds) {
      int dot = kind.indexOf('.');
      files.add(ThirdPartyCrds.crd(kind.substring(dot + 1), kind.substring(0, dot)));
    }
    List<String> args = new ArrayList<>(List.of("apply", "--server-side"));
    for (Path file : files) {
      args.add("-f");
      args.add(file.toString());
    }
    Result applied = kubectl(args);
    assertThat(applied.exit()).as(applied.output()).isZero();
    Result established =
        kubectl("wait", "--for=condition=Established", "crd", "--all", "--timeout=60s");
    assertThat(established.exit()).as(established.output()).isZero();
  }

  /** Values a user brings: database host and role passwords, the IdP's key, an auditor token. */
  private static Map<String, String> userInputs() throws Exception {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PGHOST", "postgres.example.internal:5432");
    for (String name :
        List.of(
            "TICKET_DB_PASSWORD",
            "ORCHESTRATOR_DB_PASSWORD",
            "ROLLOUT_DB_PASSWORD",
            "AUDIT_DB_PASSWORD",
            "AUDIT_OWNER_PASSWORD",
            "WITNESS_DB_PASSWORD")) {
      env.put(name, "pw-" + name.toLowerCase());
    }
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    Path jwtKey = work.resolve("idp-public.pem");
    Files.writeString(
        jwtKey,
        "-----BEGIN PUBLIC KEY-----\n"
            + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(rsa.generateKeyPair().getPublic().getEncoded())
            + "\n-----END PUBLIC KEY-----\n");
    env.put("JWT_PUBLIC_KEY", jwtKey.toString());
    env.put("WITNESS_TOKEN", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ3aXRuZXNzIn0.c2ln");
    Path keys = work.resolve("keys");
    env.put("KEYS", keys.toString());
    return env;
  }

  /** The shell blocks of docs/deploy.md marked as tested, in document order. */
  static List<String> testedBlocks() throws IOException {
    String doc = Files.readString(repo.resolve("docs/deploy.md"));
    Matcher m =
        Pattern.compile(Pattern.quote(TESTED) + "\\s*\\n```sh\\n(.*?)\\n```", Pattern.DOTALL)
            .matcher(doc);
    List<String> blocks = new ArrayList<>();
    while (m.find()) {
      blocks.add(m.group(1));
    }
    assertThat(blocks).as("tested blocks in docs/deploy.md").isNotEmpty();
    return blocks;
  }

  /**
   * What Strimzi's operators create that deploy/ may reference, for the topics and users on the
   * server: the cluster CA certificate Secret of each Kafka cluster they name, and for each SCRAM
   * KafkaUser a Secret named after it with its password. Runs until the CRDs and objects are there.
   */
  @SuppressWarnings("unchecked")
  private static void playStrimziOperators() {
    try {
      List<GenericKubernetesResource> objects = new ArrayList<>();
      for (String kind : List.of("KafkaTopic", "KafkaUser")) {
        objects.addAll(
            admin
                .genericKubernetesResources("kafka.strimzi.io/v1beta2", kind)
                .inAnyNamespace()
                .list()
                .getItems());
      }
      for (GenericKubernetesResource object : objects) {
        String ns = object.getMetadata().getNamespace();
        Map<String, String> labels = object.getMetadata().getLabels();
        String cluster = labels == null ? null : labels.get("strimzi.io/cluster");
        if (cluster != null) {
          ensureSecret(
              ns,
              cluster + "-cluster-ca-cert",
              Map.of("ca.crt", "simulated CA of " + cluster, "ca.password", "simulated"));
        }
        Map<String, Object> spec =
            (Map<String, Object>) object.getAdditionalProperties().getOrDefault("spec", Map.of());
        Map<String, Object> authentication =
            (Map<String, Object>) spec.getOrDefault("authentication", Map.of());
        if ("KafkaUser".equals(object.getKind())
            && String.valueOf(authentication.get("type")).startsWith("scram-sha-")) {
          String user = object.getMetadata().getName();
          String password = "generated-" + user;
          ensureSecret(
              ns,
              user,
              Map.of(
                  "password",
                  password,
                  "sasl.jaas.config",
                  "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                      + user
                      + "\" password=\""
                      + password
                      + "\";"));
        }
      }
    } catch (RuntimeException e) {
      // Not yet: the CRDs, the namespace or the objects are still being applied.
    }
  }

  private static void ensureSecret(String ns, String name, Map<String, String> data) {
    if (admin.secrets().inNamespace(ns).withName(name).get() == null) {
      admin
          .secrets()
          .inNamespace(ns)
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .addToLabels("app.kubernetes.io/managed-by", "strimzi-simulated")
                  .endMetadata()
                  .withStringData(data)
                  .build())
          .create();
    }
  }

  private static GenericKubernetesResource onServer(Map<String, Object> object) {
    String apiVersion = (String) object.get("apiVersion");
    String kind = (String) object.get("kind");
    var resources = admin.genericKubernetesResources(apiVersion, kind);
    String ns = namespace(object);
    return ns == null
        ? resources.withName(name(object)).get()
        : resources.inNamespace(ns).withName(name(object)).get();
  }

  /** Why Pods of the namespace are not ready, for a failure message. */
  private static String podProblems() {
    return admin.pods().inNamespace(NS).list().getItems().stream()
        .map(
            p ->
                p.getMetadata().getName()
                    + ": "
                    + (p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                        ? "no status"
                        : p.getStatus().getContainerStatuses().stream()
                            .map(c -> String.valueOf(c.getState()))
                            .collect(Collectors.joining("; "))))
        .collect(Collectors.joining("\n"));
  }

  @SuppressWarnings("unchecked")
  private static String name(Map<String, Object> object) {
    return (String) ((Map<String, Object>) object.get("metadata")).get("name");
  }

  @SuppressWarnings("unchecked")
  private static String namespace(Map<String, Object> object) {
    return (String) ((Map<String, Object>) object.get("metadata")).get("namespace");
  }

  private static String group(Map<String, Object> object) {
    String apiVersion = (String) object.get("apiVersion");
    return apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
  }

  private static String describe(Map<String, Object> object) {
    return object.get("kind") + " " + namespace(object) + "/" + name(object);
  }

  /** The overlay as kubectl's built-in kustomize renders it. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> render(String dir) throws IOException {
    Result rendered = kubectl("kustomize", dir);
    assertThat(rendered.exit()).as(rendered.output()).isZero();
    List<Map<String, Object>> objects = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper();
    try (YAMLParser parser = new YAMLFactory().createParser(rendered.output())) {
      for (var it = mapper.readValues(parser, Map.class); it.hasNext(); ) {
        Map<String, Object> object = it.next();
        if (object != null && !object.isEmpty()) {
          objects.add(object);
        }
      }
    }
    return objects;
  }

  record Result(int exit, String output) {}

  private static Result kubectl(String... args) {
    return kubectl(List.of(args));
  }

  private static Result kubectl(List<String> args) {
    List<String> command = new ArrayList<>(List.of("kubectl"));
    command.addAll(args);
    return run(command, Map.of());
  }

  private static Result bash(String script, Map<String, String> env) {
    return run(List.of("bash", "-euo", "pipefail", "-c", script), env);
  }

  /**
   * Runs in the repository with the test cluster's admin kubeconfig; stdout and stderr together. A
   * missing kubectl fails the test in one line.
   */
  private static Result run(List<String> command, Map<String, String> env) {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
    builder.environment().put("KUBECONFIG", plane.kubeconfig().toString());
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(5, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        return new Result(-1, "timed out: " + command);
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot run " + command.get(0) + " (kubectl 1.30+ and bash must be on the PATH): " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
