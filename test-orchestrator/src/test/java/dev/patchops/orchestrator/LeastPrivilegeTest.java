package dev.patchops.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.patchops.orchestrator.mirror.MirrorGrants;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What the orchestrator's ServiceAccount may not do, refused by the real API server (its
 * authorizer, or the admission policies of deploy/) however the code were to try: the rest of the
 * suite shows that what it may do is enough.
 */
@QuarkusTest
@WithOrchestratorInfra
class LeastPrivilegeTest {
  // Fixtures are the administrator's; `service` is the orchestrator's own client.
  final KubernetesClient admin = TestCluster.admin();
  @Inject KubernetesClient service;

  private static void forbidden(Runnable call, String message) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage()).contains(message);
            });
  }

  private static RoleBinding selfBinding(String namespace, String clusterRole) {
    return dev.patchops.sandbox.Manifests.binding(
        namespace, "orchestrator-grabs-" + clusterRole, clusterRole, "test-orchestrator");
  }

  @Test
  void noSecretOfANamespaceItNeitherMadeNorMirrors() {
    String ns = "team-" + UUID.randomUUID().toString().substring(0, 6);
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    admin
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("db")
                .endMetadata()
                .withStringData(Map.of("password", "not-yours"))
                .build())
        .create();
    for (String where : new String[] {ns, "kube-system", "patchops"}) {
      forbidden(
          () -> service.secrets().inNamespace(where).list(), "cannot list resource \"secrets\"");
    }
    forbidden(() -> service.secrets().inNamespace(ns).withName("db").get(), "cannot get");
    forbidden(() -> service.secrets().inAnyNamespace().list(), "cannot list");
  }

  @Test
  void noRoleInKubeSystemAndNoBindingOfItselfThere() {
    forbidden(
        () ->
            service
                .rbac()
                .roles()
                .inNamespace("kube-system")
                .resource(
                    new RoleBuilder()
                        .withNewMetadata()
                        .withName("orchestrator-owns-kube-system")
                        .endMetadata()
                        .addNewRule()
                        .withApiGroups("*")
                        .withResources("*")
                        .withVerbs("*")
                        .endRule()
                        .build())
                .create(),
        "cannot create resource \"roles\"");
    // Binding a role it does not hold is an escalation the authorizer refuses.
    forbidden(
        () -> service.resource(selfBinding("kube-system", "cluster-admin")).create(), "forbidden");
    // The one ClusterRole it may bind, it may bind only where it made the namespace: admission
    // refuses kube-system (and patchops), though RBAC alone would let it through.
    for (String where : new String[] {"kube-system", "patchops"}) {
      await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () -> {
                try {
                  service.resource(selfBinding(where, MirrorGrants.CLUSTER_ROLE)).dryRun().create();
                  return false;
                } catch (KubernetesClientException e) {
                  return e.getCode() == 403;
                }
              });
      forbidden(
          () -> service.resource(selfBinding(where, MirrorGrants.CLUSTER_ROLE)).create(),
          "the test-orchestrator may write Roles and RoleBindings only in namespaces it made for"
              + " a run, not in "
              + where);
      assertThat(
              admin
                  .rbac()
                  .roleBindings()
                  .inNamespace(where)
                  .withName("orchestrator-grabs-" + MirrorGrants.CLUSTER_ROLE)
                  .get())
          .isNull();
    }
  }

  @Test
  void itCannotDeleteThePatchOpsNamespace() {
    // A dry run passes authorization and admission and changes nothing: the namespace the test
    // cluster's services live in is never at stake.
    forbidden(
        () -> service.namespaces().withName("patchops").dryRun().delete(),
        "the test-orchestrator may never delete the patchops namespace");
    assertThat(admin.namespaces().withName("patchops").get().getMetadata().getDeletionTimestamp())
        .isNull();
  }
}
