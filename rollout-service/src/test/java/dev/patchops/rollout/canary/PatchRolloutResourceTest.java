package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.rollout.Approvals;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.rollout.canary.k8s.PatchRolloutSpec;
import dev.patchops.rollout.canary.k8s.RolloutResources;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** kubectl's side: a PatchRollout applied starts a rollout; its spec pauses, promotes, aborts. */
@QuarkusTest
@WithRolloutInfra
class PatchRolloutResourceTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject RolloutResources resources;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  /** Applies a PatchRollout of an approved image, as the administrator. */
  PatchRollout apply(String ns, String name, String image, int... weights) {
    Approvals.approve("TCK-CR-" + name, 1, image, ns, "checkout", "app");
    return client
        .resources(PatchRollout.class)
        .inNamespace(ns)
        .resource(resource(ns, name, image, TestCluster.ADMIN_USER, weights))
        .create();
  }

  /** A PatchRollout of ticket TCK-CR-{name}, revision 1, that claims {@code requestedBy}. */
  static PatchRollout resource(
      String ns, String name, String image, String requestedBy, int... weights) {
    PatchRollout cr = new PatchRollout();
    cr.getMetadata().setName(name);
    cr.getMetadata().setNamespace(ns);
    cr.getMetadata()
        .setAnnotations(
            new java.util.HashMap<>(Map.of(RolloutResources.REQUESTED_BY, requestedBy)));
    PatchRolloutSpec spec = cr.getSpec();
    spec.ticketId = "TCK-CR-" + name;
    spec.revision = 1;
    spec.deployment = "checkout";
    spec.containers = List.of("app");
    spec.image = image;
    for (int w : weights) {
      var step = new PatchRolloutSpec.Step();
      step.weight = w;
      step.pauseSeconds = 600;
      spec.steps.add(step);
    }
    return cr;
  }

  PatchRollout awaitStatus(String ns, String name, String phase) {
    await()
        .atMost(WAIT)
        .until(
            () -> {
              PatchRollout cr =
                  client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
              return cr.getStatus() != null && phase.equals(cr.getStatus().phase);
            });
    return client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
  }

  /** The phase keeps its one spelling; a pause shows as the Paused condition. */
  PatchRollout awaitPaused(String ns, String name, boolean paused) {
    String want = paused ? "True" : "False";
    await()
        .atMost(WAIT)
        .until(
            () -> {
              PatchRollout cr =
                  client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
              return cr.getStatus() != null
                  && cr.getStatus().conditions.stream()
                      .anyMatch(c -> "Paused".equals(c.getType()) && want.equals(c.getStatus()));
            });
    PatchRollout cr = client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
    assertThat(cr.getStatus().phase).isEqualTo("PROGRESSING");
    return cr;
  }

  void edit(String ns, String name, java.util.function.Consumer<PatchRolloutSpec> change) {
    client
        .resources(PatchRollout.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            cr -> {
              // The API server bumps the generation of a spec change: the kubectl path relies on
              // it.
              change.accept(cr.getSpec());
              return cr;
            });
  }

  @Test
  void appliedResourceStartsARolloutThatItsSpecPausesPromotesAndAborts() {
    String ns = Sandbox.shop(client);
    var before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    apply(ns, "checkout-fix", Sandbox.image("", 'a').replace("aaaa", "abab"), 10, 30, 60);
    PatchRollout cr = awaitStatus(ns, "checkout-fix", "PROGRESSING");
    String id = cr.getStatus().rolloutId;
    assertThat(cr.getStatus().target).isEqualTo(ns + "/checkout");
    assertThat(cr.getStatus().step).isEqualTo("1/3");
    assertThat(cr.getStatus().weight).isEqualTo(10);
    assertThat(cr.getStatus().checkpoint).hasSize(12);
    assertThat(cr.getStatus().conditions)
        .extracting(c -> c.getType())
        .contains("CheckpointRecorded", "Progressing", "Paused", "Promoted", "Reverted");
    assertThat(rollouts.get(id).origin).isEqualTo(RolloutOrigin.KUBECTL);
    assertThat(rollouts.get(id).startedBy).isEqualTo(TestCluster.ADMIN_USER);

    edit(ns, "checkout-fix", s -> s.paused = true);
    awaitPaused(ns, "checkout-fix", true);
    assertThat(rollouts.get(id).paused).isTrue();

    edit(ns, "checkout-fix", s -> s.promote = "step-1");
    await().atMost(WAIT).until(() -> rollouts.get(id).stepIndex == 1);
    assertThat(rollouts.get(id).paused).isFalse();
    PatchRollout promoted = awaitPaused(ns, "checkout-fix", false);
    await()
        .atMost(WAIT)
        .until(
            () ->
                "2/3"
                    .equals(
                        client
                            .resources(PatchRollout.class)
                            .inNamespace(ns)
                            .withName("checkout-fix")
                            .get()
                            .getStatus()
                            .step));
    assertThat(promoted.getStatus().observedGeneration).isNotNull();

    edit(ns, "checkout-fix", s -> s.abort = true);
    PatchRollout reverted = awaitStatus(ns, "checkout-fix", "REVERTED");
    assertThat(reverted.getStatus().observedGeneration)
        .isEqualTo(reverted.getMetadata().getGeneration());
    assertThat(reverted.getStatus().conditions)
        .filteredOn(c -> c.getType().equals("Reverted"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("ManualAbort");
            });
    var live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    assertThat(live.getSpec()).isEqualTo(before.getSpec());
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
        .isNull();
  }

  @Test
  void promoteFullFromTheSpecFinishesTheRollout() {
    String ns = Sandbox.shop(client);
    String image = Sandbox.image("", 'c').replace("cccc", "cdcd");
    apply(ns, "checkout-full", image, 10, 50);
    awaitStatus(ns, "checkout-full", "PROGRESSING");
    edit(ns, "checkout-full", s -> s.promote = "full");
    awaitStatus(ns, "checkout-full", "WATCHING");
    assertThat(Sandbox.endWatchWindows(ns)).isEqualTo(1);
    awaitStatus(ns, "checkout-full", "SUCCEEDED");
    assertThat(
            client
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
                .getImage())
        .isEqualTo(image);
  }

  @Test
  void aResourceForABusyWorkloadIsRefusedInItsStatus() {
    String ns = Sandbox.shop(client);
    apply(ns, "first", Sandbox.image("", 'd'), 10);
    PatchRollout first = awaitStatus(ns, "first", "PROGRESSING");
    apply(ns, "second", Sandbox.image("", 'e'), 10);
    PatchRollout second = awaitStatus(ns, "second", "REFUSED");
    assertThat(second.getStatus().message)
        .contains("already has active rollout " + first.getStatus().rolloutId);
    edit(ns, "first", s -> s.abort = true);
    awaitStatus(ns, "first", "REVERTED");
  }

  @Test
  void deletingTheResourceAbortsItsRollout() {
    String ns = Sandbox.shop(client);
    apply(ns, "doomed", Sandbox.image("", 'f'), 10);
    String id = awaitStatus(ns, "doomed", "PROGRESSING").getStatus().rolloutId;
    client.resources(PatchRollout.class).inNamespace(ns).withName("doomed").delete();
    await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
    assertThat(client.apps().deployments().inNamespace(ns).withName("checkout-canary").get())
        .isNull();
  }
}
