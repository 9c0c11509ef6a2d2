package dev.patchops.orchestrator.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.orchestrator.Namespaces;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.k8s.NamespaceMirror;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithOrchestratorInfra
class NamespaceMirrorTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject NamespaceMirror mirror;

  private String seed() {
    return ProductionNamespace.create(client);
  }

  private static MirrorRequest request(String source, String target, String run) {
    return new MirrorRequest(
        source,
        target,
        "registry.example/checkout@sha256:" + "b".repeat(64),
        List.of(new ContainerTarget(new WorkloadRef(source, "Deployment", "checkout"), "app")),
        Map.of(
            MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE,
            MirrorNames.RUN, run,
            MirrorNames.SOURCE_NAMESPACE, source),
        1,
        false,
        "mirror.patchops.invalid");
  }

  @Test
  void theMirrorIsBuiltLabelledIsolatedAndProductionIsUntouched() {
    String source = seed();
    String target = "pt-" + source;
    NamespaceMirror.Mirror built = mirror.build(request(source, target, "run-a"));

    Namespace namespace = client.namespaces().withName(target).get();
    assertThat(namespace.getMetadata().getLabels())
        .containsEntry(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
        .containsEntry(MirrorNames.RUN, "run-a");
    assertThat(client.apps().deployments().inNamespace(target).list().getItems()).hasSize(10);
    assertThat(client.services().inNamespace(target).list().getItems()).hasSize(12);
    // The mirror's own: the cluster mints no token Secrets for its ServiceAccounts any more.
    assertThat(client.secrets().inNamespace(target).list().getItems())
        .extracting(s -> s.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "db-credentials", "feature-flags", "checkout-registry", "shop-tls");
    // A placeholder the API server accepted for a pull Secret, with no production credentials.
    assertThat(
            client
                .secrets()
                .inNamespace(target)
                .withName("checkout-registry")
                .get()
                .getData()
                .get(".dockerconfigjson"))
        .isEqualTo(
            java.util.Base64.getEncoder()
                .encodeToString(
                    "{\"auths\":{}}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    // Every Service got an address of its own from the mirror's cluster, none production's.
    var productionIps =
        client.services().inNamespace(source).list().getItems().stream()
            .map(s -> s.getSpec().getClusterIP())
            .filter(ip -> !"None".equals(ip))
            .toList();
    assertThat(client.services().inNamespace(target).list().getItems())
        .allSatisfy(
            s -> {
              assertThat(s.getSpec().getType()).isEqualTo("ClusterIP");
              assertThat(s.getSpec().getClusterIP()).isNotIn(productionIps);
            });
    assertThat(
            client
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(target)
                .withName(Isolation.NETWORK_POLICY)
                .get())
        .isNotNull();
    var quota = client.resourceQuotas().inNamespace(target).withName(Isolation.QUOTA).get();
    assertThat(quota.getSpec().getHard().get("services.loadbalancers").getAmount()).isEqualTo("0");
    assertThat(quota.getSpec().getHard().get("services.nodeports").getAmount()).isEqualTo("0");
    assertThat(client.limitRanges().inNamespace(target).withName(Isolation.LIMITS).get())
        .isNotNull();
    assertThat(built.copiedObjects()).containsEntry("Deployment", 10).containsEntry("Secret", 4);

    Deployment mirrored =
        client.apps().deployments().inNamespace(target).withName("checkout").get();
    assertThat(mirrored.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .endsWith("b".repeat(64));
    Deployment production =
        client.apps().deployments().inNamespace(source).withName("checkout").get();
    assertThat(production.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo("registry.example/checkout:1.0");
    assertThat(production.getSpec().getReplicas()).isEqualTo(3);

    // A crashed build of the same run resumes over what it already made: what exists is kept (the
    // same UIDs), what the crash left out is made.
    java.util.Map<String, String> uidsBefore = mirroredUids(target);
    client.apps().deployments().inNamespace(target).withName("checkout").delete();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(
            () ->
                client.apps().deployments().inNamespace(target).withName("checkout").get() == null);
    mirror.build(request(source, target, "run-a"));
    java.util.Map<String, String> uidsAfter = mirroredUids(target);
    assertThat(uidsAfter.keySet()).isEqualTo(uidsBefore.keySet());
    uidsBefore.forEach(
        (object, uid) -> {
          if (object.equals("Deployment/checkout")) {
            assertThat(uidsAfter.get(object)).as("remade " + object).isNotEqualTo(uid);
          } else {
            assertThat(uidsAfter.get(object)).as("kept " + object).isEqualTo(uid);
          }
        });
    assertThatThrownBy(() -> mirror.build(request(source, target, "another-run")))
        .isInstanceOf(MirrorException.class)
        .hasMessageContaining("already exists and is not this run's");
    // Refused, not torn down: the mirror belongs to the run that built it.
    assertThat(client.namespaces().withName(target).get().getMetadata().getDeletionTimestamp())
        .isNull();
    assertThat(client.apps().deployments().inNamespace(target).list().getItems()).hasSize(10);

    mirror.teardown(target);
    // What the mirror made is deleted at once; the namespace follows when its controller is done.
    assertThat(client.apps().deployments().inNamespace(target).list().getItems()).isEmpty();
    assertThat(
            client
                .configMaps()
                .inNamespace(target)
                .withLabel(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
                .list()
                .getItems())
        .isEmpty();
    Namespaces.awaitDeleted(client, target);
    assertThat(client.configMaps().inNamespace(target).list().getItems()).isEmpty();
    assertThat(client.apps().deployments().inNamespace(source).list().getItems()).hasSize(10);
  }

  @Test
  void aMirrorRebuiltWhileItsTornDownNamespaceIsTerminatingWaitsForItAndIsWhole() {
    String source = seed();
    String target = "pt-" + source;
    NamespaceMirror.Mirror first = mirror.build(request(source, target, "run-c"));
    mirror.teardown(target);
    Namespaces.assertDeleting(client, target);

    NamespaceMirror.Mirror again = mirror.build(request(source, target, "run-c"));
    Namespace rebuilt = client.namespaces().withName(target).get();
    assertThat(rebuilt.getMetadata().getDeletionTimestamp()).isNull();
    assertThat(again.plan().objectCount()).isEqualTo(first.plan().objectCount());
    assertThat(client.apps().deployments().inNamespace(target).list().getItems()).hasSize(10);
    mirror.teardown(target);
    Namespaces.awaitDeleted(client, target);
  }

  @Test
  void aSourceNamespaceThatDoesNotExistIsAClearFailureAndCreatesNothing() {
    assertThatThrownBy(() -> mirror.build(request("shop-no-such", "pt-shop-no-such", "run-b")))
        .isInstanceOf(MirrorException.class)
        .hasMessage("source namespace shop-no-such does not exist");
    assertThat(client.namespaces().withName("pt-shop-no-such").get()).isNull();
  }

  @Test
  void aSourceNamespaceNotOnTheAllowListIsRefusedBeforeAnythingIsReadOrMade() {
    // It exists: only its name keeps it from being mirrored.
    String renamed = "prod-" + java.util.UUID.randomUUID().toString().substring(0, 6);
    client.namespaces().resource(ProductionNamespace.namespace(renamed)).create();
    assertThatThrownBy(() -> mirror.build(request(renamed, "pt-" + renamed, "run-d")))
        .isInstanceOf(MirrorRefusedException.class)
        .hasMessageStartingWith(
            "source namespace " + renamed + " is not on orchestrator.mirror.source-namespaces");
    assertThatThrownBy(() -> mirror.build(request("kube-system", "pt-kube-system", "run-d")))
        .isInstanceOf(MirrorRefusedException.class);
    assertThat(client.namespaces().withName("pt-" + renamed).get()).isNull();
    assertThat(client.namespaces().withName("pt-kube-system").get()).isNull();
    client.namespaces().withName(renamed).delete();
  }

  @Test
  void theMirrorNamespaceEnforcesRestrictedOnTheApiServerItself() {
    String source = seed();
    String target = "pt-" + source;
    mirror.build(request(source, target, "run-e"));
    assertThat(client.namespaces().withName(target).get().getMetadata().getLabels())
        .containsEntry("pod-security.kubernetes.io/enforce", "restricted")
        .containsEntry("pod-security.kubernetes.io/enforce-version", "latest")
        .containsEntry("pod-security.kubernetes.io/warn", "restricted")
        .containsEntry("pod-security.kubernetes.io/audit", "restricted");
    // Mirrored Pods mount no API token: production's workloads never asked for one.
    assertThat(client.apps().deployments().inNamespace(target).list().getItems())
        .hasSize(10)
        .allSatisfy(
            d ->
                assertThat(d.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken())
                    .isFalse());

    // A Pod made directly, past the mirror's rules, meets the API server's admission.
    Pod privileged =
        new PodBuilder()
            .withNewMetadata()
            .withName("escape")
            .withNamespace(target)
            .endMetadata()
            .withNewSpec()
            .withHostPID(true)
            .addNewContainer()
            .withName("shell")
            .withImage("registry.example/busybox:1")
            .withNewSecurityContext()
            .withPrivileged(true)
            .endSecurityContext()
            .endContainer()
            .addNewVolume()
            .withName("root")
            .withNewHostPath()
            .withPath("/")
            .endHostPath()
            .endVolume()
            .endSpec()
            .build();
    assertThatThrownBy(() -> client.pods().resource(privileged).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403))
        .hasMessageContaining("violates PodSecurity \"restricted:latest\"")
        .hasMessageContaining("privileged")
        .hasMessageContaining("hostPath");
    assertThat(client.pods().inNamespace(target).withName("escape").get()).isNull();
    // The same Pod is created in production's namespace, which enforces nothing: the refusal
    // above is the mirror's label, not something this cluster refuses everywhere.
    Pod inSource =
        new PodBuilder(privileged).editMetadata().withNamespace(source).endMetadata().build();
    assertThat(client.pods().resource(inSource).create().getMetadata().getUid()).isNotNull();
    client.pods().resource(inSource).withGracePeriod(0).delete();

    mirror.teardown(target);
    Namespaces.awaitDeleted(client, target);
  }

  /** Kind/name to UID of what the mirror holds. */
  private java.util.Map<String, String> mirroredUids(String namespace) {
    java.util.Map<String, String> uids = new java.util.TreeMap<>();
    java.util.List<io.fabric8.kubernetes.api.model.HasMetadata> objects =
        new java.util.ArrayList<>();
    objects.addAll(client.apps().deployments().inNamespace(namespace).list().getItems());
    objects.addAll(client.configMaps().inNamespace(namespace).list().getItems());
    objects.addAll(client.secrets().inNamespace(namespace).list().getItems());
    objects.addAll(client.services().inNamespace(namespace).list().getItems());
    objects.addAll(client.serviceAccounts().inNamespace(namespace).list().getItems());
    for (var object : objects) {
      if (object.getMetadata().getName().equals("kube-root-ca.crt")
          || object.getMetadata().getName().equals("default")) {
        continue;
      }
      uids.put(
          object.getKind() + "/" + object.getMetadata().getName(), object.getMetadata().getUid());
    }
    return uids;
  }
}
