package dev.patchops.orchestrator.mirror;

import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.SecretDecisionKind;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a production namespace into the objects of its mirror: what to copy, skip, reset and
 * rewrite, following what Velero, vcluster and kubectl-neat learned (docs/architecture.md lists the
 * rules). Pure: no API calls, so every rule is unit-tested.
 */
public final class MirrorRules {
  static final String PLACEHOLDER = "patchops-placeholder";
  static final String SA_TOKEN_TYPE = "kubernetes.io/service-account-token";
  static final String DOCKER_CONFIG_JSON_TYPE = "kubernetes.io/dockerconfigjson";
  static final String DOCKER_CONFIG_JSON_KEY = ".dockerconfigjson";
  static final String DOCKER_CFG_TYPE = "kubernetes.io/dockercfg";
  static final String DOCKER_CFG_KEY = ".dockercfg";

  private static final Set<String> PVC_BIND_ANNOTATIONS =
      Set.of(
          "pv.kubernetes.io/bind-completed",
          "pv.kubernetes.io/bound-by-controller",
          "volume.beta.kubernetes.io/storage-provisioner",
          "volume.kubernetes.io/storage-provisioner",
          "volume.kubernetes.io/selected-node");
  private static final Set<String> JOB_CONTROLLER_LABELS =
      Set.of(
          "controller-uid",
          "batch.kubernetes.io/controller-uid",
          "job-name",
          "batch.kubernetes.io/job-name");

  /**
   * Workload identity: a ServiceAccount so annotated gets the cloud role of production. The
   * mirror's copy must not, whatever trust the cloud side keys it by.
   */
  static final Set<String> WORKLOAD_IDENTITY_ANNOTATIONS =
      Set.of(
          "eks.amazonaws.com/role-arn",
          "eks.amazonaws.com/audience",
          "iam.gke.io/gcp-service-account",
          "azure.workload.identity/client-id",
          "azure.workload.identity/tenant-id");

  private MirrorRules() {}

  /**
   * @throws MirrorRefusedException before anything is planned, naming every workload whose Pods
   *     could not run under the mirror's Pod Security profile and every rule each one breaks
   */
  public static MirrorPlan plan(List<HasMetadata> source, MirrorRequest request) {
    refuseWhatRestrictedForbids(source);
    Map<String, Boolean> automount = new HashMap<>();
    for (HasMetadata object : source) {
      if (object instanceof ServiceAccount sa) {
        automount.put(sa.getMetadata().getName(), sa.getAutomountServiceAccountToken());
      }
    }
    List<HasMetadata> foundations = new ArrayList<>();
    List<HasMetadata> dependents = new ArrayList<>();
    List<MirrorPlan.Skipped> skipped = new ArrayList<>();
    List<SecretDecision> secrets = new ArrayList<>();
    List<String> swaps = new ArrayList<>();
    Set<ContainerTarget> unmatched = new HashSet<>(request.targets());

    for (HasMetadata original : source) {
      String kind = original.getKind();
      String name = original.getMetadata().getName();
      HasMetadata copy = Serialization.clone(original);
      if (copy instanceof ConfigMap) {
        if ("kube-root-ca.crt".equals(name)) {
          skipped.add(
              new MirrorPlan.Skipped(kind, name, "created by the cluster in every namespace"));
          continue;
        }
        foundations.add(reset(copy, request));
      } else if (copy instanceof Secret secret) {
        if (SA_TOKEN_TYPE.equals(secret.getType())) {
          skipped.add(
              new MirrorPlan.Skipped(kind, name, "service-account token, minted per namespace"));
          continue;
        }
        secrets.add(secretPolicy(secret, request));
        foundations.add(reset(secret, request));
      } else if (copy instanceof ServiceAccount sa) {
        if ("default".equals(name)) {
          skipped.add(
              new MirrorPlan.Skipped(kind, name, "created by the cluster in every namespace"));
          continue;
        }
        if (sa.getSecrets() != null) {
          List<ObjectReference> kept = new ArrayList<>();
          for (ObjectReference ref : sa.getSecrets()) {
            if (ref.getName() == null || !ref.getName().startsWith(name + "-token-")) {
              kept.add(ref);
            }
          }
          sa.setSecrets(kept);
        }
        foundations.add(reset(sa, request));
        if (sa.getMetadata().getAnnotations() != null) {
          sa.getMetadata().getAnnotations().keySet().removeAll(WORKLOAD_IDENTITY_ANNOTATIONS);
        }
      } else if (copy instanceof PersistentVolumeClaim pvc) {
        pvc.getSpec().setVolumeName(null);
        if (pvc.getMetadata().getAnnotations() != null) {
          pvc.getMetadata().getAnnotations().keySet().removeAll(PVC_BIND_ANNOTATIONS);
        }
        foundations.add(reset(pvc, request));
      } else if (copy instanceof Role) {
        foundations.add(reset(copy, request));
      } else if (copy instanceof RoleBinding binding) {
        if (MirrorGrants.patchOpsOwn(binding)) {
          skipped.add(
              new MirrorPlan.Skipped(kind, name, "PatchOps' own access, not the application's"));
          continue;
        }
        if (binding.getSubjects() != null) {
          for (Subject subject : binding.getSubjects()) {
            if (request.sourceNamespace().equals(subject.getNamespace())) {
              subject.setNamespace(request.targetNamespace());
            }
          }
        }
        dependents.add(reset(binding, request));
      } else if (copy instanceof Service service) {
        dependents.add(reset(service(service, request), request));
      } else if (copy instanceof Ingress ingress) {
        dependents.add(reset(ingress(ingress, request), request));
      } else if (copy instanceof Deployment deployment) {
        if (request.replicas() != null) {
          deployment.getSpec().setReplicas(request.replicas());
        }
        pod(deployment.getSpec().getTemplate(), kind, name, request, unmatched, swaps, automount);
        dependents.add(reset(deployment, request));
      } else if (copy instanceof StatefulSet set) {
        if (request.replicas() != null) {
          set.getSpec().setReplicas(request.replicas());
        }
        pod(set.getSpec().getTemplate(), kind, name, request, unmatched, swaps, automount);
        dependents.add(reset(set, request));
      } else if (copy instanceof CronJob cron) {
        cron.getSpec().setSuspend(true);
        pod(
            cron.getSpec().getJobTemplate().getSpec().getTemplate(),
            kind,
            name,
            request,
            unmatched,
            swaps,
            automount);
        dependents.add(reset(cron, request));
      } else if (copy instanceof Job job) {
        if (finished(job)) {
          skipped.add(new MirrorPlan.Skipped(kind, name, "finished"));
          continue;
        }
        dropJobControllerLabels(job);
        pod(job.getSpec().getTemplate(), kind, name, request, unmatched, swaps, automount);
        dependents.add(reset(job, request));
      } else if (copy instanceof PodDisruptionBudget) {
        dependents.add(reset(copy, request));
      } else if (copy instanceof HorizontalPodAutoscaler hpa) {
        if (request.replicas() != null) {
          hpa.getSpec()
              .setMinReplicas(
                  Math.min(request.replicas(), nullToMax(hpa.getSpec().getMinReplicas())));
          hpa.getSpec()
              .setMaxReplicas(Math.min(request.replicas(), hpa.getSpec().getMaxReplicas()));
        }
        dependents.add(reset(hpa, request));
      } else {
        skipped.add(new MirrorPlan.Skipped(kind, name, "not a kind a mirror needs"));
      }
    }
    if (!unmatched.isEmpty()) {
      ContainerTarget missing = unmatched.iterator().next();
      throw new MirrorException(
          "target container "
              + missing.container()
              + " of "
              + missing.workload().kind()
              + " "
              + missing.workload().name()
              + " is not in namespace "
              + request.sourceNamespace());
    }
    return new MirrorPlan(foundations, dependents, skipped, secrets, swaps);
  }

  /** Fresh identity in the mirror: nothing of the production object's server state survives. */
  static <T extends HasMetadata> T reset(T object, MirrorRequest request) {
    ObjectMeta old = object.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setName(old.getName());
    meta.setNamespace(request.targetNamespace());
    Map<String, String> labels = new LinkedHashMap<>();
    if (old.getLabels() != null) {
      labels.putAll(old.getLabels());
    }
    labels.putAll(request.labels());
    meta.setLabels(labels);
    if (old.getAnnotations() != null && !old.getAnnotations().isEmpty()) {
      Map<String, String> annotations = new LinkedHashMap<>(old.getAnnotations());
      annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
      meta.setAnnotations(annotations);
    }
    object.setMetadata(meta);
    clearStatus(object);
    return object;
  }

  private static void clearStatus(HasMetadata object) {
    if (object instanceof Deployment d) {
      d.setStatus(null);
    } else if (object instanceof StatefulSet s) {
      s.setStatus(null);
    } else if (object instanceof Service s) {
      s.setStatus(null);
    } else if (object instanceof Ingress i) {
      i.setStatus(null);
    } else if (object instanceof PersistentVolumeClaim p) {
      p.setStatus(null);
    } else if (object instanceof CronJob c) {
      c.setStatus(null);
    } else if (object instanceof Job j) {
      j.setStatus(null);
    } else if (object instanceof PodDisruptionBudget p) {
      p.setStatus(null);
    } else if (object instanceof HorizontalPodAutoscaler h) {
      h.setStatus(null);
    }
  }

  private static Service service(Service service, MirrorRequest request) {
    var spec = service.getSpec();
    boolean headless = "None".equals(spec.getClusterIP());
    spec.setClusterIP(headless ? "None" : null);
    spec.setClusterIPs(headless ? List.of("None") : null);
    spec.setHealthCheckNodePort(null);
    if (spec.getPorts() != null) {
      for (ServicePort port : spec.getPorts()) {
        port.setNodePort(null);
      }
    }
    if ("LoadBalancer".equals(spec.getType()) || "NodePort".equals(spec.getType())) {
      // A test must never take a public address or a node port.
      spec.setType("ClusterIP");
      spec.setLoadBalancerIP(null);
      spec.setLoadBalancerSourceRanges(null);
      spec.setLoadBalancerClass(null);
      spec.setAllocateLoadBalancerNodePorts(null);
      spec.setExternalTrafficPolicy(null);
    }
    spec.setExternalIPs(null);
    if (spec.getExternalName() != null) {
      spec.setExternalName(rewriteNamespace(spec.getExternalName(), request));
    }
    return service;
  }

  private static Ingress ingress(Ingress ingress, MirrorRequest request) {
    var spec = ingress.getSpec();
    if (spec.getRules() != null) {
      for (IngressRule rule : spec.getRules()) {
        if (rule.getHost() != null) {
          rule.setHost(mirrorHost(rule.getHost(), request));
        }
      }
    }
    if (spec.getTls() != null) {
      for (IngressTLS tls : spec.getTls()) {
        if (tls.getHosts() != null) {
          tls.setHosts(tls.getHosts().stream().map(h -> mirrorHost(h, request)).toList());
        }
      }
    }
    return ingress;
  }

  /** {@code shop.example.com} becomes {@code shop-example-com.<mirror>.<domain>}. */
  static String mirrorHost(String host, MirrorRequest request) {
    String flat = host.replace("*.", "wildcard.").replace('.', '-');
    if (flat.length() > 63) {
      flat = flat.substring(0, 63).replaceAll("-+$", "");
    }
    return flat + "." + request.targetNamespace() + "." + request.ingressDomain();
  }

  private static void pod(
      PodTemplateSpec template,
      String kind,
      String name,
      MirrorRequest request,
      Set<ContainerTarget> unmatched,
      List<String> swaps,
      Map<String, Boolean> automount) {
    if (template == null || template.getSpec() == null) {
      return;
    }
    template.getSpec().setAutomountServiceAccountToken(mountsToken(template.getSpec(), automount));
    List<Container> containers = new ArrayList<>();
    if (template.getSpec().getInitContainers() != null) {
      containers.addAll(template.getSpec().getInitContainers());
    }
    if (template.getSpec().getContainers() != null) {
      containers.addAll(template.getSpec().getContainers());
    }
    for (Container container : containers) {
      for (ContainerTarget target : request.targets()) {
        if (target.workload().kind().equalsIgnoreCase(kind)
            && target.workload().name().equals(name)
            && target.container().equals(container.getName())) {
          container.setImage(request.image());
          unmatched.remove(target);
          swaps.add(kind + "/" + name + "/" + container.getName());
        }
      }
      if (container.getEnv() != null) {
        for (EnvVar env : container.getEnv()) {
          if (env.getValue() != null) {
            env.setValue(rewriteNamespace(env.getValue(), request));
          }
        }
      }
    }
  }

  /**
   * Whether a mirrored Pod gets an API token. Only when production asks for one explicitly, on the
   * pod template or on its ServiceAccount: most workloads never call the API, and Kubernetes mounts
   * a token by default for all of them. The token a mirrored Pod gets is never production's: it is
   * minted for the mirror's copy of the ServiceAccount, which holds only the mirror's copied Roles
   * on the mirror namespace (token Secrets, cluster bindings and workload-identity annotations are
   * not copied).
   */
  static boolean mountsToken(PodSpec spec, Map<String, Boolean> automount) {
    if (spec.getAutomountServiceAccountToken() != null) {
      return spec.getAutomountServiceAccountToken();
    }
    String account =
        spec.getServiceAccountName() != null && !spec.getServiceAccountName().isEmpty()
            ? spec.getServiceAccountName()
            : "default";
    return Boolean.TRUE.equals(automount.get(account));
  }

  /** Every workload's pod template against the restricted profile, all refusals at once. */
  static void refuseWhatRestrictedForbids(List<HasMetadata> source) {
    List<String> violations = new ArrayList<>();
    for (HasMetadata object : source) {
      String kind = object.getKind();
      String name = object.getMetadata().getName();
      PodTemplateSpec template = null;
      if (object instanceof Deployment d && d.getSpec() != null) {
        template = d.getSpec().getTemplate();
      } else if (object instanceof StatefulSet s && s.getSpec() != null) {
        template = s.getSpec().getTemplate();
      } else if (object instanceof CronJob c
          && c.getSpec() != null
          && c.getSpec().getJobTemplate() != null
          && c.getSpec().getJobTemplate().getSpec() != null) {
        template = c.getSpec().getJobTemplate().getSpec().getTemplate();
      } else if (object instanceof Job j && j.getSpec() != null && !finished(j)) {
        template = j.getSpec().getTemplate();
      }
      violations.addAll(PodSecurity.violations(kind, name, template));
    }
    if (!violations.isEmpty()) {
      throw new MirrorRefusedException(
          "Pod Security " + PodSecurity.LEVEL + " refuses " + String.join("; ", violations));
    }
  }

  /**
   * Points in-cluster DNS names of the production namespace ({@code x.prod.svc}, {@code
   * x.prod.svc.cluster.local}) and a value that is just the namespace at the mirror.
   */
  static String rewriteNamespace(String value, MirrorRequest request) {
    String source = request.sourceNamespace();
    if (value.equals(source)) {
      return request.targetNamespace();
    }
    Matcher m =
        Pattern.compile("(?<=[./@:=,\\s]|^)([a-z0-9-]+)\\." + Pattern.quote(source) + "(\\.svc\\b)")
            .matcher(value);
    return m.replaceAll(
        r -> Matcher.quoteReplacement(r.group(1) + "." + request.targetNamespace() + r.group(2)));
  }

  private static SecretDecision secretPolicy(Secret secret, MirrorRequest request) {
    String name = secret.getMetadata().getName();
    boolean optedIn =
        MirrorNames.MIRROR_SECRET_COPY.equals(annotationOrLabel(secret, MirrorNames.MIRROR_SECRET));
    if (optedIn || request.copySecretValues()) {
      return new SecretDecision(
          name,
          SecretDecisionKind.COPIED,
          optedIn
              ? "the Secret carries " + MirrorNames.MIRROR_SECRET + "=copy"
              : "configuration allows copying Secret values");
    }
    if (secret.getData() != null) {
      secret.getData().replaceAll((k, v) -> base64(placeholder(secret.getType(), k)));
    }
    if (secret.getStringData() != null) {
      secret.getStringData().replaceAll((k, v) -> placeholder(secret.getType(), k));
    }
    return new SecretDecision(
        name,
        SecretDecisionKind.PLACEHOLDER,
        "values not copied: same keys with placeholder values keep pods startable");
  }

  /**
   * The placeholder of one key. The API server parses the registry credentials of a pull Secret and
   * refuses a Secret of that type whose key is not JSON: those get credentials for no registry.
   */
  static String placeholder(String type, String key) {
    if (DOCKER_CONFIG_JSON_TYPE.equals(type) && DOCKER_CONFIG_JSON_KEY.equals(key)) {
      return "{\"auths\":{}}";
    }
    if (DOCKER_CFG_TYPE.equals(type) && DOCKER_CFG_KEY.equals(key)) {
      return "{}";
    }
    return PLACEHOLDER;
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static String annotationOrLabel(HasMetadata object, String key) {
    ObjectMeta meta = object.getMetadata();
    if (meta.getAnnotations() != null && meta.getAnnotations().containsKey(key)) {
      return meta.getAnnotations().get(key);
    }
    return meta.getLabels() == null ? null : meta.getLabels().get(key);
  }

  private static boolean finished(Job job) {
    if (job.getStatus() == null) {
      return false;
    }
    if (job.getStatus().getCompletionTime() != null) {
      return true;
    }
    return job.getStatus().getConditions() != null
        && job.getStatus().getConditions().stream()
            .anyMatch(
                c ->
                    ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))
                        && "True".equals(c.getStatus()));
  }

  private static void dropJobControllerLabels(Job job) {
    if (job.getMetadata().getLabels() != null) {
      job.getMetadata().getLabels().keySet().removeAll(JOB_CONTROLLER_LABELS);
    }
    PodTemplateSpec template = job.getSpec().getTemplate();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      template.getMetadata().getLabels().keySet().removeAll(JOB_CONTROLLER_LABELS);
    }
    // The API server generates a selector for the new Job's own uid.
    job.getSpec().setSelector(null);
    job.getSpec().setManualSelector(null);
  }

  private static int nullToMax(Integer value) {
    return value == null ? Integer.MAX_VALUE : value;
  }
}
