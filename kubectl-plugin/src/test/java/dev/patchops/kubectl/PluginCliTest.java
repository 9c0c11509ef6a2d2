package dev.patchops.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.sandbox.Manifests;
import dev.patchops.testing.kube.KubectlPlugin;
import dev.patchops.testing.kube.KubectlPlugin.Result;
import dev.patchops.testing.kube.KubernetesControlPlane;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin as a user meets it: the real kubectl 1.32 dispatching to the built plugin on the PATH,
 * against the real API server of the test control plane. What needs a reconciling rollout-service
 * (a live canary, promote, abort) is tested where the rollout-service runs: rollout-service's
 * KubectlPluginTest.
 */
class PluginCliTest {
  static final String NS = "plugin-cli";
  static final String ROLLOUT = "checkout-r7";
  static KubectlPlugin kubectl;
  static KubernetesClient admin;

  @BeforeAll
  static void cluster() {
    new KubernetesControlPlane().start();
    admin = TestCluster.admin();
    kubectl = KubectlPlugin.onTestCluster();
    if (admin.namespaces().withName(NS).get() == null) {
      admin
          .namespaces()
          .resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
          .create();
      admin
          .genericKubernetesResources(Cluster.Kind.ROLLOUT.context())
          .inNamespace(NS)
          .resource(rollout(ROLLOUT))
          .create();
    }
  }

  /** A PatchRollout as a user applies it; no rollout-service runs here, so none takes it up. */
  static GenericKubernetesResource rollout(String name) {
    return Serialization.unmarshal(
        """
        apiVersion: patchops.dev/v1alpha1
        kind: PatchRollout
        metadata:
          name: %s
          namespace: %s
          annotations: {patchops.dev/requested-by: patchops-admin}
        spec:
          ticketId: TCK-7
          revision: 7
          deployment: checkout
          containers: [app]
          image: registry.example/checkout@sha256:%s
          steps: [{weight: 10, pauseSeconds: 60}, {weight: 50, pauseSeconds: 60}]
        """
            .formatted(name, NS, "7".repeat(64)),
        GenericKubernetesResource.class);
  }

  /**
   * A JVM that exits while a thread sits in native code waits 300 ms for it; the HTTP client's
   * selector is such a thread until closing the cluster ends it.
   */
  @Test
  void closingTheClusterEndsItsHttpClientsSelectorThreadOnly() {
    Set<Thread> others = Cluster.selectorThreads();
    Cluster cluster = Cluster.connect(kubectl.kubeconfig().toString(), null, NS);
    assertThat(cluster.get(Cluster.Kind.ROLLOUT, NS, ROLLOUT).getMetadata().getName())
        .isEqualTo(ROLLOUT);
    Set<Thread> own = new HashSet<>(Cluster.selectorThreads());
    own.removeAll(others);
    assertThat(own).as("the client's selector thread while it is open").hasSize(1);

    cluster.close();

    assertThat(own).as("its selector thread after close").noneMatch(Thread::isAlive);
    assertThat(others).as("other clients' selector threads").allMatch(Thread::isAlive);
  }

  @Test
  void kubectlFindsThePluginOnThePath() {
    Result r = kubectl.run("plugin", "list");
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .as(r.toString())
        .contains(kubectl.pluginDir().resolve("kubectl-patchops").toString());

    Result help = kubectl.run("patchops", "--help");
    assertThat(help.exit()).as(help.toString()).isZero();
    assertThat(help.out()).contains("promote", "abort", "history", "completion");
  }

  @Test
  void getShowsAResourceNotTakenUpYet() {
    Result r = kubectl.run("patchops", "get", "rollout", ROLLOUT, "-n", NS);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .as(r.toString())
        .contains("Ticket:      TCK-7 (revision 7)")
        .contains("Target:      " + NS + "/checkout [app]")
        .contains("(not taken up yet)")
        .containsPattern("├── +step 1 +weight 10% +actual - +pause 60s +Pending")
        .containsPattern("└── +step 2 +weight 50%");
  }

  @Test
  void getTestShowsTheMirrorAndTheSuites() {
    GenericKubernetesResource test =
        Serialization.unmarshal(
            """
            apiVersion: patchops.dev/v1alpha1
            kind: PatchTest
            metadata: {name: tck-7-r7-a1, namespace: %s}
            spec:
              runId: run-7
              ticketId: TCK-7
              revision: 7
              attempt: 1
              environmentNamespace: mirror-tck-7-r7
              sourceNamespace: shop
              suites: [smoke, payments]
            """
                .formatted(NS),
            GenericKubernetesResource.class);
    admin
        .genericKubernetesResources(Cluster.Kind.TEST.context())
        .inNamespace(NS)
        .resource(test)
        .createOr(c -> c.update());
    Result r = kubectl.run("patchops", "get", "test", "tck-7-r7-a1", "-n", NS);
    assertThat(r.exit()).as(r.toString()).isZero();
    assertThat(r.out())
        .as(r.toString())
        .contains("Ticket:      TCK-7 (revision 7, attempt 1)")
        .contains("Mirror:      mirror-tck-7-r7 (mirror of shop)")
        .contains("Phase:       (not started)")
        .contains("├── smoke\n└── payments\n");
    Result list = kubectl.run("patchops", "list", "tests", "-n", NS);
    assertThat(list.out()).containsPattern("(?m)^tck-7-r7-a1 +TCK-7 +7 +mirror-tck-7-r7 +- +- ");
  }

  @Test
  void jsonAndYamlAreTheObjectKubectlReturns() throws IOException {
    Result plugin = kubectl.run("patchops", "get", "rollout", ROLLOUT, "-n", NS, "-o", "json");
    Result plain = kubectl.run("get", "patchrollout", ROLLOUT, "-n", NS, "-o", "json");
    assertThat(plugin.exit()).as(plugin.toString()).isZero();
    ObjectMapper json = new ObjectMapper();
    JsonNode mine = json.readTree(plugin.out());
    JsonNode theirs = json.readTree(plain.out());
    assertThat(mine.at("/metadata/uid")).isEqualTo(theirs.at("/metadata/uid"));
    assertThat(mine.get("spec")).isEqualTo(theirs.get("spec"));

    Result yaml = kubectl.run("patchops", "list", "rollouts", "-A", "-o", "yaml");
    assertThat(yaml.exit()).as(yaml.toString()).isZero();
    Map<?, ?> list = Serialization.unmarshal(yaml.out(), Map.class);
    assertThat((List<Object>) list.get("items"))
        .extracting(i -> (Object) ((Map<?, ?>) ((Map<?, ?>) i).get("metadata")).get("name"))
        .contains(ROLLOUT);

    Result table = kubectl.run("patchops", "list", "-A");
    assertThat(table.exit()).as(table.toString()).isZero();
    assertThat(table.out())
        .containsPattern("(?m)^NAMESPACE +NAME +TICKET")
        .containsPattern("(?m)^" + NS + " +" + ROLLOUT + " +TCK-7");
  }

  @Test
  void anUnknownNameIsOneLineAndExitOne() {
    Result r = kubectl.run("patchops", "get", "rollout", "no-such-rollout", "-n", NS);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err())
        .startsWith(
            "Error from server (NotFound): patchrollouts.patchops.dev \"no-such-rollout\" not found");

    Result abort = kubectl.run("patchops", "abort", "no-such-rollout", "-n", NS);
    assertThat(abort.exit()).isEqualTo(1);
    assertThat(abort.err()).contains("NotFound");
  }

  @Test
  void aUserWithoutRbacForPatchRolloutsIsRefused() {
    // A user who may read Deployments but nothing of PatchOps, and one who may read rollouts but
    // not change them: the API server decides, and the plugin says so in one line.
    KubectlPlugin nobody = kubectl.asServiceAccount(NS, "no-patchops", List.of());
    KubectlPlugin reader =
        kubectl.asServiceAccount(NS, "rollout-reader", List.of("get", "list", "watch"));

    Result get = nobody.run("patchops", "get", "rollout", ROLLOUT, "-n", NS);
    assertThat(get.exit()).as(get.toString()).isEqualTo(1);
    assertThat(get.out()).isEmpty();
    assertThat(get.err().lines()).as(get.toString()).hasSize(1);
    assertThat(get.err())
        .startsWith("Error from server (Forbidden): ")
        .contains("system:serviceaccount:" + NS + ":no-patchops")
        .contains("cannot get resource \"patchrollouts\" in API group \"patchops.dev\"");

    Result list = nobody.run("patchops", "list", "rollouts", "-A");
    assertThat(list.exit()).isEqualTo(1);
    assertThat(list.err())
        .startsWith("Error from server (Forbidden): ")
        .contains("cannot list resource");

    Result pause = reader.run("patchops", "pause", ROLLOUT, "-n", NS);
    assertThat(pause.exit()).as(pause.toString()).isEqualTo(1);
    assertThat(pause.err().lines()).hasSize(1);
    // Not taken up by a rollout-service here, so the refusal comes from the plugin's check of the
    // phase; the RBAC refusal of a patch is shown on a live rollout in the rollout-service tests.
    assertThat(pause.err()).contains("has no status yet");
    Result retry = reader.run("patchops", "retry", ROLLOUT, "-n", NS);
    assertThat(retry.exit()).isEqualTo(1);
    assertThat(retry.err()).contains("only an ended rollout");
  }

  @Test
  void aMissingCrdIsNamed() {
    Path crdFile = Manifests.deployDir().resolve("crds/patchtests.patchops.dev-v1.yml");
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("patchtests.patchops.dev")
        .delete();
    try {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                Result r = kubectl.run("patchops", "list", "tests", "-A");
                return r.exit() == 1 && r.err().contains("is not installed");
              });
      Result get = kubectl.run("patchops", "get", "test", "t1", "-n", NS);
      assertThat(get.exit()).isEqualTo(1);
      assertThat(get.err().lines()).as(get.toString()).hasSize(1);
      assertThat(get.err())
          .isEqualTo(
              "error: the server doesn't have a resource type \"patchtests\": the CRD"
                  + " patchtests.patchops.dev is not installed on context \""
                  + currentContext()
                  + "\" (kubectl apply -k deploy/kubernetes/crds)\n");
    } finally {
      CustomResourceDefinition crd;
      try {
        crd = Serialization.unmarshal(Files.readString(crdFile), CustomResourceDefinition.class);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                crd.getMetadata().setResourceVersion(null);
                admin
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .resource(crd)
                    .createOr(c -> c.update());
                return kubectl.run("patchops", "list", "tests", "-n", NS).exit() == 0;
              });
    }
  }

  @Test
  void anUnreachableContextIsOneLine() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path dead = Files.createTempFile("dead", ".kubeconfig");
    Files.writeString(
        dead,
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: gone
          cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}
        users:
        - name: someone
          user: {token: t}
        contexts:
        - name: gone
          context: {cluster: gone, user: someone}
        current-context: gone
        """
            .formatted(port));
    Result r = kubectl.withKubeconfig(dead).run("patchops", "get", "rollout", ROLLOUT);
    assertThat(r.exit()).as(r.toString()).isEqualTo(1);
    assertThat(r.err().lines()).as(r.toString()).hasSize(1);
    assertThat(r.err())
        .startsWith(
            "error: cannot reach the cluster of context \"gone\" at https://127.0.0.1:" + port);

    Result unknown = kubectl.run("patchops", "list", "--context", "nowhere");
    assertThat(unknown.exit()).isEqualTo(1);
    assertThat(unknown.err()).isEqualTo("error: context \"nowhere\" does not exist\n");

    Result usage = kubectl.run("patchops", "frobnicate");
    assertThat(usage.exit()).isEqualTo(1);
    assertThat(usage.err())
        .isEqualTo(
            "error: unknown command \"frobnicate\" for \"kubectl patchops\" (see kubectl patchops --help)\n");
  }

  @Test
  void completionForBashZshAndKubectlItself() {
    Result bash = kubectl.run("patchops", "completion", "bash");
    assertThat(bash.exit()).as(bash.toString()).isZero();
    assertThat(bash.out()).contains("complete -o nosort -F _kubectl_patchops kubectl-patchops");
    Result zsh = kubectl.run("patchops", "completion", "zsh");
    assertThat(zsh.exit()).isZero();
    assertThat(zsh.out())
        .startsWith("#compdef kubectl-patchops")
        .contains("compdef _kubectl_patchops kubectl-patchops");
    Result fish = kubectl.run("patchops", "completion", "fish");
    assertThat(fish.exit()).isEqualTo(1);
    assertThat(fish.err()).isEqualTo("error: unsupported shell \"fish\": bash or zsh\n");

    // The bash script, sourced in a real bash, completes verbs and names from the cluster.
    Result verbs =
        kubectl.bash(
            "source <(kubectl patchops completion bash); COMP_WORDS=(kubectl-patchops pro); COMP_CWORD=1;"
                + " _kubectl_patchops; printf '%s\\n' \"${COMPREPLY[@]}\"");
    assertThat(verbs.out().lines()).as(verbs.toString()).containsExactly("promote");
    Result names =
        kubectl.bash(
            "source <(kubectl patchops completion bash); COMP_WORDS=(kubectl-patchops get rollout -n "
                + NS
                + " che); COMP_CWORD=5; _kubectl_patchops; printf '%s\\n' \"${COMPREPLY[@]}\"");
    assertThat(names.out().lines()).as(names.toString()).containsExactly(ROLLOUT);

    // kubectl's own completion asks kubectl_complete-patchops: `kubectl patchops <TAB>` works too.
    Result viaKubectl = kubectl.run("__complete", "patchops", "abort", "-n", NS, "");
    assertThat(viaKubectl.exit()).as(viaKubectl.toString()).isZero();
    assertThat(viaKubectl.out().lines()).as(viaKubectl.toString()).contains(ROLLOUT, ":4");
  }

  static String currentContext() {
    return kubectl.run("config", "current-context").out().strip();
  }
}
