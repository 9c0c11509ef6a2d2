package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.testing.kube.KubectlPlugin;
import dev.patchops.testing.kube.KubectlPlugin.Result;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl patchops} on a live canary: the real kubectl on the PATH dispatching to the plugin
 * the build assembled (kubectl-plugin/target/kubectl-patchops), against the real API server, with
 * this rollout-service reconciling. The plugin's own module tests what needs no reconciler.
 */
@QuarkusTest
@WithRolloutInfra
class KubectlPluginTest {
  static final Duration WAIT = Duration.ofSeconds(60);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  KubectlPlugin kubectl;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
    kubectl = KubectlPlugin.onTestCluster();
  }

  /** A rollout under way and its PatchRollout, with the canary's Pods ready. */
  record Live(String id, String name, String ticketId, String image, String checkpoint) {}

  /**
   * Starts a canary of the shop's checkout and waits until it serves: the one place that knows how
   * a rollout is started (today: the REST API, as KubectlTest does; a start gate may change it).
   */
  static Live startLiveCanary(
      KubernetesClient client, RolloutService rollouts, String ns, String steps) {
    String ticketId = RolloutFlowTest.ticket();
    String image = Sandbox.image("", '8');
    String id =
        RolloutFlowTest.createByRest(
            """
            {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
             "containers":["app"],"steps":%s}
            """
                .formatted(ticketId, image, ns, steps));
    await()
        .atMost(WAIT)
        .until(
            () ->
                rollouts.get(id) != null
                    && rollouts.get(id).phase == RolloutPhase.PROGRESSING
                    && rollouts.get(id).crName != null);
    String name = rollouts.get(id).crName;
    await()
        .atMost(WAIT)
        .until(
            () -> {
              PatchRollout cr =
                  client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
              return cr != null && cr.getStatus() != null && cr.getStatus().checkpoint != null;
            });
    await().atMost(WAIT).until(() -> ready(client, ns, "checkout-canary") >= 1);
    // Every Pod of the step ready, the stable replicas it added included: the share is settled.
    await().atMost(WAIT).until(() -> rollouts.get(id).stepReadyAt != null);
    return new Live(
        id,
        name,
        ticketId,
        image,
        io.quarkus.arc.Arc.container()
            .instance(dev.patchops.rollout.checkpoint.Checkpoints.class)
            .get()
            .row(id)
            .specHash
            .substring(0, 12));
  }

  static int ready(KubernetesClient client, String ns, String deployment) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName(deployment).get();
    return d == null || d.getStatus() == null || d.getStatus().getReadyReplicas() == null
        ? 0
        : d.getStatus().getReadyReplicas();
  }

  @Test
  void getWatchPromoteAbortAndHistoryOfALiveCanary() throws Exception {
    String ns = Sandbox.shop(client);
    String stableBefore = stableImage(ns);
    Live live =
        startLiveCanary(
            client,
            rollouts,
            ns,
            "[{\"weight\":10,\"pauseSeconds\":600},{\"weight\":50,\"pauseSeconds\":600},"
                + "{\"weight\":80,\"pauseSeconds\":600}]");

    // get: the tree, with the live weight from the ready replicas: 1 canary beside 4 stable would
    // be 20 %, so the step runs the stable at 7 (CanaryScale), 1 in 8 = 12.5 %, shown rounded.
    Result get = kubectl.run("patchops", "get", "rollout", live.name(), "-n", ns);
    assertThat(get.exit()).as(get.toString()).isZero();
    assertThat(get.out())
        .as(get.toString())
        .contains("Ticket:      " + live.ticketId() + " (revision 1)")
        .contains("Target:      " + ns + "/checkout [app]")
        .contains("Image:       " + live.image())
        .contains("Phase:       ◌ PROGRESSING  step 1/3  weight 10%  actual 13%")
        .contains("Checkpoint:  " + live.checkpoint())
        .containsPattern(
            "├── ◌ step 1 +weight 10% +actual 13% +pause 600s +Progressing +analysis: running")
        .containsPattern("├──   step 2 +weight 50% +actual - +pause 600s +Pending")
        .containsPattern("├── CheckpointRecorded +True +Recorded +spec " + live.checkpoint());
    Files.createDirectories(Path.of("target"));
    StringBuilder session =
        new StringBuilder(
            "$ kubectl patchops get rollout " + live.name() + " -n " + ns + "\n" + get.out());

    // A reader may look but not act: the API server refuses the patch, in one line.
    KubectlPlugin reader = kubectl.asServiceAccount(ns, "reader", List.of("get", "list", "watch"));
    Result refused = reader.run("patchops", "abort", live.name(), "-n", ns);
    assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.err().lines()).as(refused.toString()).hasSize(1);
    assertThat(refused.err())
        .startsWith("Error from server (Forbidden): ")
        .contains("system:serviceaccount:" + ns + ":reader")
        .contains("cannot patch resource \"patchrollouts\"");
    assertThat(cr(ns, live.name()).getSpec().abort).isFalse();
    assertThat(rollouts.get(live.id()).phase).isEqualTo(RolloutPhase.PROGRESSING);

    try (KubectlPlugin.Running watch =
        kubectl.start("patchops", "get", "rollout", live.name(), "-n", ns, "--watch")) {
      await().atMost(WAIT).until(() -> watch.output().contains("step 1/3"));

      // promote: one merge patch of spec.promote; the service passes the step, the watch redraws.
      Result promote = kubectl.run("patchops", "promote", live.name(), "-n", ns);
      assertThat(promote.exit()).as(promote.toString()).isZero();
      assertThat(promote.out())
          .isEqualTo("patchrollout.patchops.dev/" + live.name() + " promoted\n");
      assertThat(cr(ns, live.name()).getSpec().promote).isEqualTo("step-1");
      session
          .append("$ kubectl patchops promote ")
          .append(live.name())
          .append(" -n ")
          .append(ns)
          .append('\n')
          .append(promote.out());
      await()
          .atMost(WAIT)
          .until(
              () ->
                  watch
                      .output()
                      .contains("Phase:       ◌ PROGRESSING  step 2/3  weight 50%  actual 50%"));
      assertThat(watch.output())
          .containsPattern(
              "├── ✔ step 1 +weight 10% +actual - +pause 600s +Passed +analysis: passed");

      // abort: spec.abort; the watch follows the revert and ends with the rollout.
      Result abort = kubectl.run("patchops", "abort", live.name(), "-n", ns);
      assertThat(abort.exit()).as(abort.toString()).isZero();
      session
          .append("$ kubectl patchops abort ")
          .append(live.name())
          .append(" -n ")
          .append(ns)
          .append('\n')
          .append(abort.out());
      assertThat(watch.awaitExit(WAIT)).as(watch.output()).isZero();
      String frames = watch.output();
      String last = frames.substring(frames.lastIndexOf("Name:"));
      assertThat(last)
          .as(frames)
          .contains("Phase:       ✖ REVERTED  step 2/3  weight 0%")
          .containsPattern(
              "├── ✖ step 2 +weight 50% +actual 0% +pause 600s +Reverted +analysis: failed: ManualAbort")
          .containsPattern("└── »? ?step 3 +weight 80% +actual - +pause 600s +Cancelled")
          .containsPattern("└── Reverted +True +ManualAbort");
      session
          .append("$ kubectl patchops get rollout ")
          .append(live.name())
          .append(" -n ")
          .append(ns)
          .append(" --watch   # last frame\n")
          .append(last);
    }
    assertThat(rollouts.get(live.id()).phase).isEqualTo(RolloutPhase.REVERTED);
    assertThat(stableImage(ns)).isEqualTo(stableBefore);

    // history: the workload's rollouts, how each ended, and the checkpoint it went back to.
    Result history = kubectl.run("patchops", "history", "deploy/checkout", "-n", ns);
    assertThat(history.exit()).as(history.toString()).isZero();
    assertThat(history.out())
        .as(history.toString())
        .containsPattern("(?m)^STARTED +NAME +TICKET +REV +IMAGE +PHASE +CHECKPOINT +OUTCOME$")
        .containsPattern(
            live.name()
                + " +"
                + live.ticketId()
                + " +1 +checkout@8{12} +REVERTED +"
                + live.checkpoint()
                + " +reverted to "
                + live.checkpoint()
                + " \\(ManualAbort: ");
    session
        .append("$ kubectl patchops history deploy/checkout -n ")
        .append(ns)
        .append('\n')
        .append(history.out());
    JsonNode json =
        new ObjectMapper()
            .readTree(kubectl.run("patchops", "history", "checkout", "-n", ns, "-o", "json").out());
    assertThat(json.get("items")).hasSize(1);
    assertThat(json.at("/items/0/status/phase").asText()).isEqualTo("REVERTED");

    // Controls on an ended rollout are refused by the plugin, in one line.
    Result late = kubectl.run("patchops", "promote", live.name(), "-n", ns);
    assertThat(late.exit()).isEqualTo(1);
    assertThat(late.err())
        .isEqualTo(
            "error: patchrollout.patchops.dev/"
                + live.name()
                + " is REVERTED: nothing to promote\n");

    // retry: a new PatchRollout with the same spec, in the retrying user's name. It goes through
    // every gate a new rollout passes: the approval was used by the rollout just reverted, so the
    // service refuses the retry as a replay and changes nothing.
    Result retry = kubectl.run("patchops", "retry", live.name(), "-n", ns);
    assertThat(retry.exit()).as(retry.toString()).isZero();
    assertThat(retry.out())
        .matches(
            "patchrollout.patchops.dev/"
                + live.name()
                + "-retry-[a-z0-9]{5} created \\(retry of "
                + live.name()
                + "\\)\n");
    String retried =
        retry
            .out()
            .substring("patchrollout.patchops.dev/".length(), retry.out().indexOf(" created"));
    session
        .append("$ kubectl patchops retry ")
        .append(live.name())
        .append(" -n ")
        .append(ns)
        .append('\n')
        .append(retry.out());
    await()
        .atMost(WAIT)
        .until(
            () -> cr(ns, retried).getStatus() != null && cr(ns, retried).getStatus().phase != null);
    assertThat(cr(ns, retried).getMetadata().getAnnotations())
        .containsEntry("patchops.dev/retry-of", live.name())
        .containsEntry("patchops.dev/requested-by", dev.patchops.devstack.kube.ControlPlane.ADMIN);
    assertThat(cr(ns, retried).getSpec().image).isEqualTo(live.image());
    assertThat(cr(ns, retried).getStatus().phase).isEqualTo("REFUSED");
    assertThat(cr(ns, retried).getStatus().conditions)
        .anySatisfy(
            c -> {
              assertThat(c.getType()).isEqualTo("Admitted");
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("Replay");
            });
    assertThat(stableImage(ns)).isEqualTo(Sandbox.STABLE_IMAGE);
    Result list = kubectl.run("patchops", "list", "rollouts", "-A");
    assertThat(list.out())
        .containsPattern("(?m)^" + ns + " +" + live.name() + " +" + live.ticketId());
    session
        .append("$ kubectl patchops history checkout -n ")
        .append(ns)
        .append('\n')
        .append(kubectl.run("patchops", "history", "checkout", "-n", ns).out());
    // The session, for deploy/local/README.md.
    Files.writeString(Path.of("target", "kubectl-patchops-session.txt"), session);
  }

  PatchRollout cr(String ns, String name) {
    return client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
  }

  String stableImage(String ns) {
    return client
        .apps()
        .deployments()
        .inNamespace(ns)
        .withName("checkout")
        .get()
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0)
        .getImage();
  }
}
