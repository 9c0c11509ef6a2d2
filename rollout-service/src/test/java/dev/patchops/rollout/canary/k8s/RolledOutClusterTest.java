package dev.patchops.rollout.canary.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * {@link WorkloadOps#rolledOut}, on which every "verified" revert rests, held against the real
 * Deployment controller: it replaces Pods a few at a time through a new ReplicaSet, so a
 * half-finished rollout is there to be seen, and it alone writes the revision annotation.
 */
@QuarkusTest
@WithRolloutInfra
class RolledOutClusterTest {
  final KubernetesClient client = TestCluster.admin();

  @Test
  void aDeploymentIsRolledOutOnlyOnceTheControllerHasReplacedEveryPod() {
    Sandbox.start(client);
    String ns = Sandbox.shop(client);
    var deployments = client.apps().deployments().inNamespace(ns).withName("checkout");
    await().atMost(Duration.ofSeconds(60)).until(() -> WorkloadOps.rolledOut(deployments.get()));
    assertThat(revision(deployments.get())).isEqualTo("1");

    List<Deployment> seen = new CopyOnWriteArrayList<>();
    try (var watch =
        deployments.watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, Deployment deployment) {
                seen.add(deployment);
              }

              @Override
              public void onClose(WatcherException cause) {}
            })) {
      deployments.edit(
          d -> {
            d.getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .setImage(Sandbox.image("", 'f'));
            return d;
          });
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  !seen.isEmpty()
                      && WorkloadOps.rolledOut(seen.get(seen.size() - 1))
                      && updated(seen.get(seen.size() - 1)) == 4);
    }

    // maxSurge 25 % of 4 and maxUnavailable 0: one new Pod at a time, so the controller reported
    // states with some but not all Pods updated, and none of them counted as rolled out.
    List<Deployment> halfway = seen.stream().filter(d -> updated(d) > 0 && updated(d) < 4).toList();
    assertThat(halfway).as("states between the two versions").isNotEmpty();
    assertThat(halfway).noneMatch(WorkloadOps::rolledOut);
    assertThat(seen)
        .filteredOn(d -> generation(d) > observedGeneration(d))
        .as("a spec the controller had not yet seen")
        .noneMatch(WorkloadOps::rolledOut);

    Deployment done = deployments.get();
    assertThat(revision(done)).isEqualTo("2");
    List<ReplicaSet> sets =
        client.apps().replicaSets().inNamespace(ns).withLabel("app", "checkout").list().getItems();
    assertThat(sets).hasSize(2);
    assertThat(sets)
        .filteredOn(
            rs ->
                rs.getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)
                    .getImage()
                    .equals(Sandbox.STABLE_IMAGE))
        .singleElement()
        .satisfies(old -> assertThat(old.getSpec().getReplicas()).isZero());
  }

  private static int updated(Deployment d) {
    return d.getStatus() == null || d.getStatus().getUpdatedReplicas() == null
        ? 0
        : d.getStatus().getUpdatedReplicas();
  }

  private static long generation(Deployment d) {
    return d.getMetadata().getGeneration() == null ? 0 : d.getMetadata().getGeneration();
  }

  private static long observedGeneration(Deployment d) {
    return d.getStatus() == null || d.getStatus().getObservedGeneration() == null
        ? 0
        : d.getStatus().getObservedGeneration();
  }

  private static String revision(Deployment d) {
    return d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision");
  }
}
