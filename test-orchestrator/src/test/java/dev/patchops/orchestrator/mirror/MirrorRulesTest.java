package dev.patchops.orchestrator.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.SecretDecisionKind;
import dev.patchops.contract.model.WorkloadRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MirrorRulesTest {
  static final String SOURCE = "shop";
  static final String TARGET = "pt-t-1234-r2-a1";
  static final String IMAGE = "registry.example/checkout@sha256:" + "a".repeat(64);
  static final Map<String, String> LABELS =
      Map.of(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE, MirrorNames.RUN, "run-1");

  static MirrorRequest request(Integer replicas, boolean copySecrets) {
    return new MirrorRequest(
        SOURCE,
        TARGET,
        IMAGE,
        List.of(new ContainerTarget(new WorkloadRef(SOURCE, "Deployment", "checkout"), "app")),
        LABELS,
        replicas,
        copySecrets,
        "mirror.patchops.invalid");
  }

  private static final List<HasMetadata> SOURCE_OBJECTS = ProductionNamespace.objects(SOURCE);
  private static final MirrorPlan PLAN = MirrorRules.plan(SOURCE_OBJECTS, request(1, false));

  private static List<HasMetadata> all() {
    return PLAN.copies();
  }

  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> T find(Class<T> type, String name) {
    return (T)
        all().stream()
            .filter(o -> type.isInstance(o) && o.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError(type.getSimpleName() + " " + name + " not in plan"));
  }

  @Test
  void skipsWhatTheClusterCreatesOrWhatIsDone() {
    assertThat(PLAN.skipped())
        .extracting(MirrorPlan.Skipped::kind, MirrorPlan.Skipped::name)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("ServiceAccount", "default"),
            org.assertj.core.groups.Tuple.tuple("ConfigMap", "kube-root-ca.crt"),
            org.assertj.core.groups.Tuple.tuple("Secret", "checkout-token-abcde"),
            org.assertj.core.groups.Tuple.tuple("Job", "migration-2025"));
    assertThat(all()).noneMatch(o -> o.getMetadata().getName().equals("default"));
    // 10 x (Deployment, Service, ServiceAccount, ConfigMap) + 4 Secrets, 2 Services, PVC, Ingress,
    // CronJob, running Job, Role, RoleBinding, PDB, HPA.
    assertThat(PLAN.objectCount()).isEqualTo(40 + 14);
  }

  @Test
  void foundationsComeBeforeTheObjectsThatReferToThem() {
    assertThat(PLAN.foundations())
        .allMatch(
            o ->
                Stream.of("ServiceAccount", "ConfigMap", "Secret", "PersistentVolumeClaim", "Role")
                    .anyMatch(k -> k.equals(o.getKind())));
    assertThat(PLAN.dependents())
        .noneMatch(o -> o.getKind().equals("Secret") || o.getKind().equals("ServiceAccount"));
  }

  @Test
  void everyCopyHasAFreshIdentityNoStatusAndTheMirrorsLabels() {
    for (HasMetadata o : all()) {
      var meta = o.getMetadata();
      assertThat(meta.getNamespace()).as(o.getKind()).isEqualTo(TARGET);
      assertThat(meta.getUid()).isNull();
      assertThat(meta.getResourceVersion()).isNull();
      assertThat(meta.getGeneration()).isNull();
      assertThat(meta.getCreationTimestamp()).isNull();
      assertThat(meta.getManagedFields()).isNullOrEmpty();
      assertThat(meta.getOwnerReferences()).isNullOrEmpty();
      assertThat(meta.getFinalizers()).isNullOrEmpty();
      assertThat(meta.getLabels()).containsAllEntriesOf(LABELS);
    }
    Deployment checkout = find(Deployment.class, "checkout");
    assertThat(checkout.getStatus()).isNull();
    assertThat(checkout.getMetadata().getLabels()).containsEntry("app", "checkout");
    assertThat(checkout.getMetadata().getAnnotations())
        .containsEntry("team", "shop")
        .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
    assertThat(find(PersistentVolumeClaim.class, "orders-data").getStatus()).isNull();
    // The source objects themselves are untouched.
    assertThat(((Deployment) SOURCE_OBJECTS.get(0)).getMetadata().getUid())
        .isEqualTo("uid-checkout");
  }

  @Test
  void servicesLoseTheirAddressesAndNeverBecomePublic() {
    Service plain = find(Service.class, "payments");
    assertThat(plain.getSpec().getClusterIP()).isNull();
    assertThat(plain.getSpec().getClusterIPs()).isNull();
    Service headless = find(Service.class, "catalog-headless");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getClusterIPs()).containsExactly("None");
    Service lb = find(Service.class, "frontend-public");
    assertThat(lb.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(lb.getSpec().getLoadBalancerIP()).isNull();
    assertThat(lb.getSpec().getExternalTrafficPolicy()).isNull();
    assertThat(lb.getSpec().getHealthCheckNodePort()).isNull();
    assertThat(lb.getSpec().getExternalIPs()).isNullOrEmpty();
    assertThat(lb.getSpec().getPorts()).allMatch(p -> p.getNodePort() == null);
  }

  @Test
  void claimsServiceAccountsBindingsIngressesJobsAndCronJobsAreRewritten() {
    PersistentVolumeClaim pvc = find(PersistentVolumeClaim.class, "orders-data");
    assertThat(pvc.getSpec().getVolumeName()).isNull();
    assertThat(pvc.getMetadata().getAnnotations()).containsOnlyKeys("backup");

    ServiceAccount sa = find(ServiceAccount.class, "checkout");
    assertThat(sa.getSecrets()).extracting(r -> r.getName()).containsExactly("checkout-registry");

    RoleBinding binding = find(RoleBinding.class, "checkout-reads-config");
    assertThat(binding.getSubjects())
        .extracting(s -> s.getNamespace())
        .containsExactly(TARGET, "monitoring");

    Ingress ingress = find(Ingress.class, "shop");
    assertThat(ingress.getSpec().getRules().get(0).getHost())
        .isEqualTo("shop-example-com." + TARGET + ".mirror.patchops.invalid");
    assertThat(ingress.getSpec().getTls().get(0).getHosts())
        .containsExactly("shop-example-com." + TARGET + ".mirror.patchops.invalid");

    CronJob cron = find(CronJob.class, "nightly-report");
    assertThat(cron.getSpec().getSuspend()).isTrue();
    assertThat(
            cron.getSpec()
                .getJobTemplate()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getEnv()
                .get(0)
                .getValue())
        .isEqualTo("postgres." + TARGET + ".svc:5432");

    Job job = find(Job.class, "backfill");
    assertThat(job.getMetadata().getLabels())
        .doesNotContainKeys("controller-uid", "batch.kubernetes.io/controller-uid")
        .containsEntry("team", "shop");
    assertThat(job.getSpec().getSelector()).isNull();
    assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsOnlyKeys("app");
  }

  @Test
  void onlyTheTargetedContainerGetsThePatchedImageAndProductionReferencesAreRewritten() {
    Deployment checkout = find(Deployment.class, "checkout");
    List<Container> containers = checkout.getSpec().getTemplate().getSpec().getContainers();
    assertThat(containers.get(0).getImage()).isEqualTo(IMAGE);
    assertThat(containers.get(1).getImage()).isEqualTo("registry.example/envoy:1.30");
    assertThat(checkout.getSpec().getTemplate().getSpec().getInitContainers().get(0).getImage())
        .isEqualTo("registry.example/checkout-migrate:1");
    assertThat(
            find(Deployment.class, "payments")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0)
                .getImage())
        .isEqualTo("registry.example/payments:1.0");
    assertThat(PLAN.imageSwaps()).containsExactly("Deployment/checkout/app");

    Map<String, String> env = new java.util.HashMap<>();
    containers.get(0).getEnv().forEach(e -> env.put(e.getName(), e.getValue()));
    assertThat(env)
        .containsEntry("PAYMENTS_URL", "http://payments." + TARGET + ".svc.cluster.local:8080")
        .containsEntry("CART_HOST", "cart." + TARGET + ".svc")
        .containsEntry("POD_NAMESPACE", TARGET)
        .containsEntry("EXTERNAL", "https://api.partner.example/shop");
  }

  @Test
  void replicasAreScaledDownWhenConfiguredAndKeptOtherwise() {
    assertThat(find(Deployment.class, "cart").getSpec().getReplicas()).isEqualTo(1);
    HorizontalPodAutoscaler hpa = find(HorizontalPodAutoscaler.class, "checkout");
    assertThat(hpa.getSpec().getMinReplicas()).isEqualTo(1);
    assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(1);
    MirrorPlan kept = MirrorRules.plan(SOURCE_OBJECTS, request(null, false));
    assertThat(
            kept.dependents().stream()
                .filter(o -> o instanceof Deployment)
                .map(o -> ((Deployment) o).getSpec().getReplicas()))
        .containsOnly(3);
  }

  @Test
  void secretValuesAreCopiedOnlyWhenTheSecretOrTheConfigurationSaysSo() {
    Secret db = find(Secret.class, "db-credentials");
    assertThat(db.getData()).containsOnlyKeys("password", "user");
    assertThat(db.getData().values())
        .containsOnly(
            java.util.Base64.getEncoder().encodeToString(MirrorRules.PLACEHOLDER.getBytes()));
    assertThat(find(Secret.class, "feature-flags").getData())
        .containsEntry("flags", "eyJuZXciOnRydWV9");
    assertThat(PLAN.secretDecisions())
        .extracting(SecretDecision::secret, SecretDecision::decision)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("db-credentials", SecretDecisionKind.PLACEHOLDER),
            org.assertj.core.groups.Tuple.tuple("feature-flags", SecretDecisionKind.COPIED),
            org.assertj.core.groups.Tuple.tuple(
                "checkout-registry", SecretDecisionKind.PLACEHOLDER),
            org.assertj.core.groups.Tuple.tuple("shop-tls", SecretDecisionKind.PLACEHOLDER));

    MirrorPlan allowed = MirrorRules.plan(SOURCE_OBJECTS, request(1, true));
    assertThat(allowed.secretDecisions())
        .extracting(SecretDecision::decision)
        .containsOnly(SecretDecisionKind.COPIED);
    assertThat(
            allowed.foundations().stream()
                .filter(o -> o.getMetadata().getName().equals("db-credentials"))
                .map(o -> ((Secret) o).getData().get("password")))
        .containsExactly("cHJvZC1wYXNzd29yZA==");
    assertThat(find(ConfigMap.class, "checkout-config").getData())
        .containsEntry("LOG_LEVEL", "info");
  }

  @Test
  void placeholdersStayValidForTheSecretsType() throws Exception {
    Secret registry = find(Secret.class, "checkout-registry");
    assertThat(registry.getType()).isEqualTo("kubernetes.io/dockerconfigjson");
    String config =
        new String(
            java.util.Base64.getDecoder().decode(registry.getData().get(".dockerconfigjson")),
            java.nio.charset.StandardCharsets.UTF_8);
    // Parsed as the API server does; no production credentials are left in it.
    var auths = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config).get("auths");
    assertThat(auths.isObject()).isTrue();
    assertThat(auths.isEmpty()).isTrue();
    assertThat(MirrorRules.placeholder("kubernetes.io/dockercfg", ".dockercfg")).isEqualTo("{}");

    Secret tls = find(Secret.class, "shop-tls");
    assertThat(tls.getData()).containsOnlyKeys("tls.crt", "tls.key");
    assertThat(tls.getData().values())
        .containsOnly(
            java.util.Base64.getEncoder().encodeToString(MirrorRules.PLACEHOLDER.getBytes()));
  }

  @Test
  void aTargetThatIsNotInTheNamespaceIsAClearError() {
    MirrorRequest wrong =
        new MirrorRequest(
            SOURCE,
            TARGET,
            IMAGE,
            List.of(new ContainerTarget(new WorkloadRef(SOURCE, "Deployment", "checkout"), "nope")),
            LABELS,
            1,
            false,
            "mirror.patchops.invalid");
    assertThatThrownBy(() -> MirrorRules.plan(SOURCE_OBJECTS, wrong))
        .isInstanceOf(MirrorException.class)
        .hasMessage("target container nope of Deployment checkout is not in namespace shop");
  }

  @SuppressWarnings("unchecked")
  private static <T extends HasMetadata> T in(
      List<HasMetadata> objects, Class<T> type, String name) {
    return (T)
        objects.stream()
            .filter(o -> type.isInstance(o) && o.getMetadata().getName().equals(name))
            .findFirst()
            .orElseThrow();
  }

  @Test
  void aWorkloadRestrictedForbidsRefusesTheWholeMirrorNamingEachWorkloadAndRule() {
    List<HasMetadata> source = ProductionNamespace.objects(SOURCE);
    var payments = in(source, Deployment.class, "payments").getSpec().getTemplate().getSpec();
    payments.getContainers().get(0).getSecurityContext().setPrivileged(true);
    payments.setVolumes(
        List.of(
            new io.fabric8.kubernetes.api.model.VolumeBuilder()
                .withName("data")
                .withNewHostPath("/var/lib/payments", "Directory")
                .build()));
    in(source, CronJob.class, "nightly-report")
        .getSpec()
        .getJobTemplate()
        .getSpec()
        .getTemplate()
        .getSpec()
        .setHostNetwork(true);
    // A finished Job is not copied, so whatever it ran with does not matter to the mirror.
    in(source, Job.class, "migration-2025").getSpec().getTemplate().getSpec().setHostPID(true);

    assertThatThrownBy(() -> MirrorRules.plan(source, request(1, false)))
        .isInstanceOf(MirrorRefusedException.class)
        .hasMessage(
            "Pod Security restricted refuses Deployment payments: hostPath volume data; "
                + "Deployment payments: container app is privileged; "
                + "CronJob nightly-report: hostNetwork is true");
  }

  @Test
  void unsetFieldsAreRefusedNotFilledIn() {
    List<HasMetadata> source = ProductionNamespace.objects(SOURCE);
    var search = in(source, Deployment.class, "search").getSpec().getTemplate().getSpec();
    search.setSecurityContext(null);
    assertThatThrownBy(() -> MirrorRules.plan(source, request(1, false)))
        .isInstanceOf(MirrorRefusedException.class)
        .hasMessageContaining("Deployment search: container app runAsNonRoot not set")
        .hasMessageContaining(
            "Deployment search: container sidecar seccompProfile RuntimeDefault or Localhost"
                + " required");
    assertThat(search.getSecurityContext()).as("the source is not tightened").isNull();
  }

  @Test
  void mirroredPodsMountNoApiTokenUnlessProductionAsksForOne() {
    assertThat(PLAN.dependents())
        .filteredOn(o -> o instanceof Deployment)
        .hasSize(10)
        .allSatisfy(
            d ->
                assertThat(
                        ((Deployment) d)
                            .getSpec()
                            .getTemplate()
                            .getSpec()
                            .getAutomountServiceAccountToken())
                    .isFalse());
    assertThat(
            find(CronJob.class, "nightly-report")
                .getSpec()
                .getJobTemplate()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAutomountServiceAccountToken())
        .isFalse();
    assertThat(
            find(Job.class, "backfill")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getAutomountServiceAccountToken())
        .isFalse();

    List<HasMetadata> source = ProductionNamespace.objects(SOURCE);
    // Asked for on the ServiceAccount, or on the pod template, which wins over its account.
    ServiceAccount catalogAccount = in(source, ServiceAccount.class, "catalog");
    catalogAccount.setAutomountServiceAccountToken(true);
    catalogAccount
        .getMetadata()
        .setAnnotations(
            Map.of(
                "eks.amazonaws.com/role-arn", "arn:aws:iam::123456789012:role/catalog-prod",
                "iam.gke.io/gcp-service-account", "catalog@prod.iam.gserviceaccount.com",
                "team", "shop"));
    in(source, Deployment.class, "cart")
        .getSpec()
        .getTemplate()
        .getSpec()
        .setAutomountServiceAccountToken(true);
    in(source, ServiceAccount.class, "users").setAutomountServiceAccountToken(true);
    in(source, Deployment.class, "users")
        .getSpec()
        .getTemplate()
        .getSpec()
        .setAutomountServiceAccountToken(false);
    List<HasMetadata> copies = MirrorRules.plan(source, request(1, false)).copies();
    assertThat(automount(in(copies, Deployment.class, "catalog"))).isTrue();
    assertThat(automount(in(copies, Deployment.class, "cart"))).isTrue();
    assertThat(automount(in(copies, Deployment.class, "users"))).isFalse();
    assertThat(automount(in(copies, Deployment.class, "checkout"))).isFalse();
    // The copy's token is the mirror's own; no cloud role of production comes with it.
    assertThat(in(copies, ServiceAccount.class, "catalog").getMetadata().getAnnotations())
        .containsOnlyKeys("team");
  }

  private static Boolean automount(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getAutomountServiceAccountToken();
  }

  @Test
  void onlyListedSourceNamespacesMayBeMirroredAndNeverTheClustersOwn() {
    List<String> list = List.of("shop-*", "billing");
    assertThat(SourceNamespaces.allowed(list, "shop-1a2b3c")).isTrue();
    assertThat(SourceNamespaces.allowed(list, "billing")).isTrue();
    assertThat(SourceNamespaces.allowed(list, "billing-eu")).isFalse();
    assertThat(SourceNamespaces.allowed(list, "workshop-1")).isFalse();
    assertThat(SourceNamespaces.allowed(List.of(), "shop-1")).isFalse();
    assertThat(SourceNamespaces.allowed(List.of("*"), "payments")).isTrue();
    assertThat(SourceNamespaces.allowed(List.of("*"), "kube-system")).isFalse();
    assertThat(SourceNamespaces.allowed(List.of("kube-*"), "kube-public")).isFalse();
    assertThatThrownBy(() -> SourceNamespaces.check(List.of(), "shop"))
        .isInstanceOf(MirrorRefusedException.class)
        .hasMessage(
            "source namespace shop is not on orchestrator.mirror.source-namespaces (empty: nothing"
                + " may be mirrored)");
    assertThatThrownBy(() -> SourceNamespaces.check(list, "prod"))
        .hasMessage(
            "source namespace prod is not on orchestrator.mirror.source-namespaces [shop-*, billing]");
  }

  @Test
  void namespaceNamesAreDns1123AndAtMost63CharactersWithAHashWhenCut() {
    assertThat(MirrorNames.namespace("T-1234", 2, 1)).isEqualTo("pt-t-1234-r2-a1");
    String a = MirrorNames.namespace("TICKET_" + "x".repeat(80) + "a", 1, 1);
    String b = MirrorNames.namespace("TICKET_" + "x".repeat(80) + "b", 1, 1);
    assertThat(a).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(a).isNotEqualTo(b);
  }
}
