package dev.patchops.orchestrator.mirror;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientTimeoutException;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A realistic production namespace: a shop of {@value #SERVICES} services, each a Deployment with
 * its Service, ServiceAccount and ConfigMap, plus everything the mirroring rules treat specially.
 */
public final class ProductionNamespace {
  public static final int SERVICES = 10;
  public static final List<String> NAMES =
      List.of(
          "checkout",
          "payments",
          "cart",
          "catalog",
          "search",
          "users",
          "orders",
          "shipping",
          "email",
          "frontend");

  /** Made by the cluster's controllers in every namespace; never created by anyone else. */
  private static final Set<String> CLUSTER_MADE =
      Set.of("ServiceAccount/default", "ConfigMap/kube-root-ca.crt");

  private static final Set<String> JOB_CONTROLLER_LABELS =
      Set.of(
          "controller-uid",
          "batch.kubernetes.io/controller-uid",
          "job-name",
          "batch.kubernetes.io/job-name");

  private ProductionNamespace() {}

  public static List<HasMetadata> objects(String ns) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String name : NAMES) {
      Map<String, String> app = Map.of("app", name);
      objects.add(
          new DeploymentBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(ns)
              .withLabels(app)
              .withUid("uid-" + name)
              .withResourceVersion("42")
              .withGeneration(7L)
              .withCreationTimestamp("2026-01-01T00:00:00Z")
              .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{}")
              .addToAnnotations("team", "shop")
              .addNewManagedField()
              .withManager("kubectl")
              .endManagedField()
              .addNewOwnerReference()
              .withName("owner")
              .withKind("Thing")
              .withApiVersion("v1")
              .withUid("o")
              .endOwnerReference()
              .withFinalizers("example.com/finalizer")
              .endMetadata()
              .withNewSpec()
              .withReplicas(3)
              .withNewSelector()
              .withMatchLabels(app)
              .endSelector()
              .withNewTemplate()
              .withNewMetadata()
              .withLabels(app)
              .endMetadata()
              .withNewSpec()
              .withSecurityContext(restrictedPod())
              .withServiceAccountName(name)
              .addNewInitContainer()
              .withName("migrate")
              .withImage("registry.example/" + name + "-migrate:1")
              .withSecurityContext(restrictedContainer())
              .endInitContainer()
              .addNewContainer()
              .withName("app")
              .withImage("registry.example/" + name + ":1.0")
              .withSecurityContext(restrictedContainer())
              .addNewEnv()
              .withName("PAYMENTS_URL")
              .withValue("http://payments." + ns + ".svc.cluster.local:8080")
              .endEnv()
              .addNewEnv()
              .withName("CART_HOST")
              .withValue("cart." + ns + ".svc")
              .endEnv()
              .addNewEnv()
              .withName("POD_NAMESPACE")
              .withValue(ns)
              .endEnv()
              .addNewEnv()
              .withName("EXTERNAL")
              .withValue("https://api.partner.example/" + ns)
              .endEnv()
              .endContainer()
              .addNewContainer()
              .withName("sidecar")
              .withImage("registry.example/envoy:1.30")
              .withSecurityContext(restrictedContainer())
              .endContainer()
              .endSpec()
              .endTemplate()
              .endSpec()
              .withNewStatus()
              .withReadyReplicas(3)
              .withReplicas(3)
              .endStatus()
              .build());
      objects.add(
          new ServiceBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(ns)
              .withLabels(app)
              .endMetadata()
              .withNewSpec()
              .withClusterIP("10.0.0." + (10 + NAMES.indexOf(name)))
              .withClusterIPs("10.0.0." + (10 + NAMES.indexOf(name)))
              .withSelector(app)
              .addNewPort()
              .withPort(8080)
              .withTargetPort(new IntOrString(8080))
              .endPort()
              .endSpec()
              .build());
      objects.add(
          new ServiceAccountBuilder()
              .withNewMetadata()
              .withName(name)
              .withNamespace(ns)
              .endMetadata()
              .addNewSecret()
              .withName(name + "-token-abcde")
              .endSecret()
              .addNewSecret()
              .withName(name + "-registry")
              .endSecret()
              .build());
      objects.add(
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName(name + "-config")
              .withNamespace(ns)
              .endMetadata()
              .addToData("LOG_LEVEL", "info")
              .build());
    }
    objects.add(
        new ServiceAccountBuilder()
            .withNewMetadata()
            .withName("default")
            .withNamespace(ns)
            .endMetadata()
            .build());
    objects.add(
        new ConfigMapBuilder()
            .withNewMetadata()
            .withName("kube-root-ca.crt")
            .withNamespace(ns)
            .endMetadata()
            .addToData("ca.crt", "CA")
            .build());
    objects.add(
        new SecretBuilder()
            .withNewMetadata()
            .withName("db-credentials")
            .withNamespace(ns)
            .endMetadata()
            .addToData("password", "cHJvZC1wYXNzd29yZA==")
            .addToData("user", "cHJvZA==")
            .build());
    objects.add(
        new SecretBuilder()
            .withNewMetadata()
            .withName("feature-flags")
            .withNamespace(ns)
            .addToAnnotations(MirrorNames.MIRROR_SECRET, MirrorNames.MIRROR_SECRET_COPY)
            .endMetadata()
            .addToData("flags", "eyJuZXciOnRydWV9")
            .build());
    objects.add(
        new SecretBuilder()
            .withNewMetadata()
            .withName("checkout-registry")
            .withNamespace(ns)
            .endMetadata()
            .withType("kubernetes.io/dockerconfigjson")
            .addToData(
                ".dockerconfigjson",
                Base64.getEncoder()
                    .encodeToString(
                        "{\"auths\":{\"registry.example\":{\"auth\":\"cHJvZDpzZWNyZXQ=\"}}}"
                            .getBytes(StandardCharsets.UTF_8)))
            .build());
    objects.add(
        new SecretBuilder()
            .withNewMetadata()
            .withName("shop-tls")
            .withNamespace(ns)
            .endMetadata()
            .withType("kubernetes.io/tls")
            .addToData("tls.crt", "Y2VydA==")
            .addToData("tls.key", "a2V5")
            .build());
    objects.add(
        new SecretBuilder()
            .withNewMetadata()
            .withName("checkout-token-abcde")
            .withNamespace(ns)
            .addToAnnotations("kubernetes.io/service-account.name", "checkout")
            .endMetadata()
            .withType("kubernetes.io/service-account-token")
            .addToData("token", "dG9rZW4=")
            .build());
    objects.add(
        new ServiceBuilder()
            .withNewMetadata()
            .withName("catalog-headless")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withClusterIP("None")
            .withClusterIPs("None")
            .withSelector(Map.of("app", "catalog"))
            .addNewPort()
            .withPort(8080)
            .endPort()
            .endSpec()
            .build());
    objects.add(
        new ServiceBuilder()
            .withNewMetadata()
            .withName("frontend-public")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withType("LoadBalancer")
            .withClusterIP("10.0.1.1")
            .withClusterIPs("10.0.1.1")
            .withLoadBalancerIP("203.0.113.10")
            .withExternalTrafficPolicy("Local")
            .withHealthCheckNodePort(32000)
            .withExternalIPs("203.0.113.11")
            .withSelector(Map.of("app", "frontend"))
            .addNewPort()
            .withPort(443)
            .withNodePort(31443)
            .endPort()
            .endSpec()
            .build());
    objects.add(
        new PersistentVolumeClaimBuilder()
            .withNewMetadata()
            .withName("orders-data")
            .withNamespace(ns)
            .addToAnnotations("pv.kubernetes.io/bind-completed", "yes")
            .addToAnnotations("pv.kubernetes.io/bound-by-controller", "yes")
            .addToAnnotations("volume.kubernetes.io/storage-provisioner", "ebs.csi.aws.com")
            .addToAnnotations("volume.kubernetes.io/selected-node", "node-3")
            .addToAnnotations("backup", "daily")
            .endMetadata()
            .withNewSpec()
            .withVolumeName("pvc-1234")
            .withAccessModes("ReadWriteOnce")
            .withNewResources()
            .addToRequests("storage", new Quantity("10Gi"))
            .endResources()
            .endSpec()
            .withNewStatus()
            .withPhase("Bound")
            .endStatus()
            .build());
    objects.add(
        new IngressBuilder()
            .withNewMetadata()
            .withName("shop")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .addNewRule()
            .withHost("shop.example.com")
            .withNewHttp()
            .addNewPath()
            .withPath("/")
            .withPathType("Prefix")
            .withNewBackend()
            .withNewService()
            .withName("frontend")
            .withNewPort()
            .withNumber(8080)
            .endPort()
            .endService()
            .endBackend()
            .endPath()
            .endHttp()
            .endRule()
            .addNewTl()
            .withHosts("shop.example.com")
            .withSecretName("shop-tls")
            .endTl()
            .endSpec()
            .build());
    objects.add(
        new CronJobBuilder()
            .withNewMetadata()
            .withName("nightly-report")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withSchedule("0 2 * * *")
            .withSuspend(false)
            .withNewJobTemplate()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withSecurityContext(restrictedPod())
            .addNewContainer()
            .withName("report")
            .withImage("registry.example/report:1")
            .withSecurityContext(restrictedContainer())
            .addNewEnv()
            .withName("DB")
            .withValue("postgres." + ns + ".svc:5432")
            .endEnv()
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .endJobTemplate()
            .endSpec()
            .build());
    objects.add(
        new JobBuilder()
            .withNewMetadata()
            .withName("backfill")
            .withNamespace(ns)
            .addToLabels("controller-uid", "u-1")
            .addToLabels("batch.kubernetes.io/controller-uid", "u-1")
            .addToLabels("team", "shop")
            .endMetadata()
            .withNewSpec()
            .withNewSelector()
            .addToMatchLabels("controller-uid", "u-1")
            .endSelector()
            .withNewTemplate()
            .withNewMetadata()
            .addToLabels("controller-uid", "u-1")
            .addToLabels("app", "backfill")
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withSecurityContext(restrictedPod())
            .addNewContainer()
            .withName("backfill")
            .withImage("registry.example/backfill:1")
            .withSecurityContext(restrictedContainer())
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .withActive(1)
            .endStatus()
            .build());
    objects.add(
        new JobBuilder()
            .withNewMetadata()
            .withName("migration-2025")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withNewTemplate()
            .withNewSpec()
            .withRestartPolicy("Never")
            .withSecurityContext(restrictedPod())
            .addNewContainer()
            .withName("m")
            .withImage("registry.example/m:1")
            .withSecurityContext(restrictedContainer())
            .endContainer()
            .endSpec()
            .endTemplate()
            .endSpec()
            .withNewStatus()
            .withCompletionTime("2025-12-01T00:00:00Z")
            .addNewCondition()
            .withType("Complete")
            .withStatus("True")
            .endCondition()
            .endStatus()
            .build());
    objects.add(
        new RoleBuilder()
            .withNewMetadata()
            .withName("config-reader")
            .withNamespace(ns)
            .endMetadata()
            .addNewRule()
            .withApiGroups("")
            .withResources("configmaps")
            .withVerbs("get", "list")
            .endRule()
            .build());
    objects.add(
        new RoleBindingBuilder()
            .withNewMetadata()
            .withName("checkout-reads-config")
            .withNamespace(ns)
            .endMetadata()
            .withNewRoleRef()
            .withApiGroup("rbac.authorization.k8s.io")
            .withKind("Role")
            .withName("config-reader")
            .endRoleRef()
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName("checkout")
            .withNamespace(ns)
            .endSubject()
            .addNewSubject()
            .withKind("ServiceAccount")
            .withName("prometheus")
            .withNamespace("monitoring")
            .endSubject()
            .build());
    objects.add(
        new PodDisruptionBudgetBuilder()
            .withNewMetadata()
            .withName("checkout")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withMinAvailable(new IntOrString(2))
            .withNewSelector()
            .addToMatchLabels("app", "checkout")
            .endSelector()
            .endSpec()
            .build());
    objects.add(
        new HorizontalPodAutoscalerBuilder()
            .withNewMetadata()
            .withName("checkout")
            .withNamespace(ns)
            .endMetadata()
            .withNewSpec()
            .withMinReplicas(3)
            .withMaxReplicas(20)
            .withNewScaleTargetRef()
            .withApiVersion("apps/v1")
            .withKind("Deployment")
            .withName("checkout")
            .endScaleTargetRef()
            .endSpec()
            .build());
    return objects;
  }

  /**
   * What Pod Security restricted asks of a Pod: a non-root user and the runtime's seccomp profile.
   * Production here is hardened, so its mirror, which enforces the profile, runs it as it is.
   */
  public static PodSecurityContext restrictedPod() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  /** What restricted asks of each container: no privilege escalation, every capability dropped. */
  public static SecurityContext restrictedContainer() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .build();
  }

  public static Namespace namespace(String ns) {
    return new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build();
  }

  /**
   * A fresh production namespace with all of {@link #objects}, created on the API as their owners
   * once submitted them. It returns when the namespace looks as {@link #objects} describe it: the
   * cluster's own objects are there and the finished Job has finished, so every mirror of it plans
   * the same copies.
   */
  public static String create(KubernetesClient client) {
    String ns = "shop-" + UUID.randomUUID().toString().substring(0, 6);
    client.namespaces().resource(namespace(ns)).create();
    // On orchestrator.mirror.source-namespaces (shop-*), bound as docs/deploy.md says.
    dev.patchops.sandbox.Manifests.manage(client, ns);
    for (HasMetadata object : objects(ns)) {
      if (!CLUSTER_MADE.contains(object.getKind() + "/" + object.getMetadata().getName())) {
        client.resource(asSubmitted(object)).create();
      }
    }
    client
        .serviceAccounts()
        .inNamespace(ns)
        .withName("default")
        .waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS);
    client
        .configMaps()
        .inNamespace(ns)
        .withName("kube-root-ca.crt")
        .waitUntilCondition(Objects::nonNull, 30, TimeUnit.SECONDS);
    awaitFinished(client, ns, "migration-2025");
    return ns;
  }

  /** Run by the Job controller on the simulated kubelet; says what it saw if it never finishes. */
  private static void awaitFinished(KubernetesClient client, String ns, String name) {
    var job = client.batch().v1().jobs().inNamespace(ns).withName(name);
    try {
      job.waitUntilCondition(ProductionNamespace::complete, 30, TimeUnit.SECONDS);
    } catch (KubernetesClientTimeoutException e) {
      throw new AssertionError(
          "Job "
              + ns
              + "/"
              + name
              + " never completed: "
              + Serialization.asJson(job.get().getStatus())
              + "; its Pods: "
              + client.pods().inNamespace(ns).list().getItems().stream()
                  .filter(p -> p.getMetadata().getName().startsWith(name))
                  .map(p -> p.getMetadata().getName() + " " + Serialization.asJson(p.getStatus()))
                  .toList()
              + "; events: "
              + client.v1().events().inNamespace(ns).list().getItems().stream()
                  .map(ev -> ev.getInvolvedObject().getName() + ": " + ev.getMessage())
                  .toList(),
          e);
    }
  }

  /**
   * {@code object} as a person or a controller submits it: a real API server refuses a create that
   * carries what only it sets (resourceVersion, uid) and assigns the rest itself (addresses, node
   * ports, a Job's selector). Owner references and finalizers go too: here no owner exists, so the
   * garbage collector would delete the object, and no controller would ever lift the finalizer.
   * {@link MirrorRulesTest} still tests the mirror's rules on all of these fields.
   */
  static HasMetadata asSubmitted(HasMetadata original) {
    HasMetadata object = Serialization.clone(original);
    ObjectMeta meta = object.getMetadata();
    meta.setUid(null);
    meta.setResourceVersion(null);
    meta.setGeneration(null);
    meta.setCreationTimestamp(null);
    meta.setManagedFields(null);
    meta.setOwnerReferences(null);
    meta.setFinalizers(null);
    if (object instanceof Service service) {
      unassigned(service.getSpec());
    } else if (object instanceof Job job) {
      unassigned(job);
    }
    return object;
  }

  /** Addresses and node ports are the server's to allocate; a headless Service asks for none. */
  private static void unassigned(ServiceSpec spec) {
    if (!"None".equals(spec.getClusterIP())) {
      spec.setClusterIP(null);
      spec.setClusterIPs(null);
    }
    spec.setHealthCheckNodePort(null);
    spec.getPorts().forEach(p -> p.setNodePort(null));
  }

  /**
   * The server generates a Job's selector and its controller labels from the Job's uid. The running
   * Job is suspended: it stays unfinished without a script of the simulated kubelet, as a
   * long-running Job would.
   */
  private static void unassigned(Job job) {
    job.getSpec().setSelector(null);
    job.getSpec().setManualSelector(null);
    if (job.getMetadata().getLabels() != null) {
      job.getMetadata().getLabels().keySet().removeAll(JOB_CONTROLLER_LABELS);
    }
    var template = job.getSpec().getTemplate().getMetadata();
    if (template != null && template.getLabels() != null) {
      template.getLabels().keySet().removeAll(JOB_CONTROLLER_LABELS);
    }
    if (job.getStatus() != null && job.getStatus().getCompletionTime() == null) {
      job.getSpec().setSuspend(true);
    }
  }

  private static boolean complete(Job job) {
    return job != null
        && job.getStatus() != null
        && job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(c -> "Complete".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
