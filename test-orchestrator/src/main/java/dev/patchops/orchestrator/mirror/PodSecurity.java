package dev.patchops.orchestrator.mirror;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EphemeralContainer;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SELinuxOptions;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Pod Security Standard {@code restricted} (Kubernetes 1.34, the checks of
 * k8s.io/pod-security-admission) applied to a workload's pod template before anything of a mirror
 * is made. Mirror namespaces enforce the same profile on the API server ({@link
 * #NAMESPACE_LABELS}), which would refuse the workload's Pods only after the namespace and every
 * copy exist, and would say so in a ReplicaSet's condition rather than to the run. Pure: no API
 * calls.
 *
 * <p>Refuse, never tighten. A pod template that does not satisfy the profile is refused with every
 * violated rule, even when the field is merely unset and a safe value could be filled in (seccomp
 * RuntimeDefault, capabilities drop ALL, allowPrivilegeEscalation false). Privilege that is set
 * (privileged, host namespaces, hostPath) cannot be removed without changing what the workload
 * does, and filling in the unset fields changes it too: drop ALL takes CHOWN and NET_BIND_SERVICE
 * from a root process, allowPrivilegeEscalation false disables setuid and file capabilities,
 * RuntimeDefault blocks syscalls, and runAsNonRoot cannot be filled in at all since only the image
 * knows its user. A mirror that silently differs from production would blame the patch for what the
 * mirror changed and pass what production would fail; a refusal names the field, which production
 * can set once.
 */
public final class PodSecurity {
  public static final String LEVEL = "restricted";

  /** Enforce, warn and audit {@code restricted} at the API server's own version. */
  public static final Map<String, String> NAMESPACE_LABELS = namespaceLabels();

  private static final Set<String> RESTRICTED_CAPABILITY_ADDS = Set.of("NET_BIND_SERVICE");
  private static final Set<String> SAFE_SYSCTLS =
      Set.of(
          "kernel.shm_rmid_forced",
          "net.ipv4.ip_local_port_range",
          "net.ipv4.ip_unprivileged_port_start",
          "net.ipv4.tcp_syncookies",
          "net.ipv4.ping_group_range",
          "net.ipv4.ip_local_reserved_ports",
          "net.ipv4.tcp_keepalive_time",
          "net.ipv4.tcp_fin_timeout",
          "net.ipv4.tcp_keepalive_intvl",
          "net.ipv4.tcp_keepalive_probes",
          "net.ipv4.tcp_rmem",
          "net.ipv4.tcp_wmem");
  private static final Set<String> SELINUX_TYPES =
      Set.of("container_t", "container_init_t", "container_kvm_t", "container_engine_t");
  private static final String APPARMOR_ANNOTATION_PREFIX =
      "container.apparmor.security.beta.kubernetes.io/";

  private PodSecurity() {}

  private static Map<String, String> namespaceLabels() {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String mode : List.of("enforce", "warn", "audit")) {
      labels.put("pod-security.kubernetes.io/" + mode, LEVEL);
      labels.put("pod-security.kubernetes.io/" + mode + "-version", "latest");
    }
    return Map.copyOf(labels);
  }

  /**
   * Why {@code kind name}'s Pods cannot run under {@code restricted}, one entry per violated rule,
   * each starting with the workload ("Deployment payments: container app is privileged"); empty
   * when they can.
   */
  public static List<String> violations(String kind, String name, PodTemplateSpec template) {
    if (template == null || template.getSpec() == null) {
      return List.of();
    }
    List<String> found = violations(template.getMetadata(), template.getSpec());
    return found.stream().map(v -> kind + " " + name + ": " + v).toList();
  }

  /** The violated rules of one pod, without the workload's name. */
  static List<String> violations(ObjectMeta meta, PodSpec spec) {
    List<String> out = new ArrayList<>();
    PodSecurityContext pod = spec.getSecurityContext();
    boolean windows = spec.getOs() != null && "windows".equals(spec.getOs().getName());

    // Baseline: host namespaces, volumes, ports, sysctls and the pod-wide profiles.
    if (Boolean.TRUE.equals(spec.getHostNetwork())) {
      out.add("hostNetwork is true");
    }
    if (Boolean.TRUE.equals(spec.getHostPID())) {
      out.add("hostPID is true");
    }
    if (Boolean.TRUE.equals(spec.getHostIPC())) {
      out.add("hostIPC is true");
    }
    if (spec.getVolumes() != null) {
      for (Volume volume : spec.getVolumes()) {
        String type = forbiddenVolumeType(volume);
        if (type != null) {
          out.add(type + " volume " + volume.getName());
        }
      }
    }
    if (pod != null) {
      if (pod.getWindowsOptions() != null
          && Boolean.TRUE.equals(pod.getWindowsOptions().getHostProcess())) {
        out.add("pod is a Windows hostProcess");
      }
      if (pod.getSysctls() != null) {
        for (Sysctl sysctl : pod.getSysctls()) {
          if (!SAFE_SYSCTLS.contains(sysctl.getName())) {
            out.add("sysctl " + sysctl.getName() + " is not a safe sysctl");
          }
        }
      }
      if (badSeLinux(pod.getSeLinuxOptions())) {
        out.add("pod seLinuxOptions set a type other than container_* or a user or role");
      }
      if (pod.getAppArmorProfile() != null && !profileOk(pod.getAppArmorProfile().getType())) {
        out.add("pod AppArmor profile " + pod.getAppArmorProfile().getType());
      }
      if (Long.valueOf(0).equals(pod.getRunAsUser())) {
        out.add("pod runAsUser is 0");
      }
      if (Boolean.FALSE.equals(pod.getRunAsNonRoot())) {
        out.add("pod runAsNonRoot is false");
      }
      if (!windows
          && pod.getSeccompProfile() != null
          && !profileOk(pod.getSeccompProfile().getType())) {
        out.add("pod seccompProfile " + pod.getSeccompProfile().getType());
      }
    }
    if (meta != null && meta.getAnnotations() != null) {
      meta.getAnnotations().entrySet().stream()
          .filter(e -> e.getKey().startsWith(APPARMOR_ANNOTATION_PREFIX))
          .filter(e -> !"runtime/default".equals(e.getValue()))
          .filter(e -> e.getValue() != null && !e.getValue().startsWith("localhost/"))
          .filter(e -> !e.getValue().isEmpty())
          .forEach(e -> out.add("annotation " + e.getKey() + "=" + e.getValue()));
    }
    boolean podNonRoot = pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot());
    boolean podSeccomp =
        pod != null
            && pod.getSeccompProfile() != null
            && profileOk(pod.getSeccompProfile().getType());

    for (Container c : containers(spec)) {
      String who = "container " + c.getName();
      SecurityContext sc = c.getSecurityContext();
      Capabilities caps = sc == null ? null : sc.getCapabilities();
      if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
        out.add(who + " is privileged");
      }
      if (sc != null
          && sc.getWindowsOptions() != null
          && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
        out.add(who + " is a Windows hostProcess");
      }
      if (c.getPorts() != null) {
        for (ContainerPort port : c.getPorts()) {
          if (port.getHostPort() != null && port.getHostPort() != 0) {
            out.add(who + " uses hostPort " + port.getHostPort());
          }
        }
      }
      if (sc != null && sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
        out.add(who + " procMount " + sc.getProcMount());
      }
      if (sc != null && badSeLinux(sc.getSeLinuxOptions())) {
        out.add(who + " seLinuxOptions set a type other than container_* or a user or role");
      }
      if (sc != null && sc.getAppArmorProfile() != null) {
        if (!profileOk(sc.getAppArmorProfile().getType())) {
          out.add(who + " AppArmor profile " + sc.getAppArmorProfile().getType());
        }
      }
      if (hostInProbeOrHook(c)) {
        out.add(who + " probe or lifecycle hook sets a host");
      }
      // Restricted: identity, escalation, capabilities, seccomp.
      if (sc != null && Long.valueOf(0).equals(sc.getRunAsUser())) {
        out.add(who + " runAsUser is 0");
      }
      Boolean nonRoot = sc == null ? null : sc.getRunAsNonRoot();
      if (Boolean.FALSE.equals(nonRoot)) {
        out.add(who + " runAsNonRoot is false");
      } else if (nonRoot == null && !podNonRoot) {
        out.add(who + " runAsNonRoot not set (pod or container must set it true)");
      }
      if (windows) {
        continue; // seccomp, capabilities and privilege escalation do not apply to Windows Pods
      }
      if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
        out.add(who + " allowPrivilegeEscalation not false");
      }
      if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
        out.add(who + " capabilities must drop ALL");
      }
      if (caps != null && caps.getAdd() != null) {
        List<String> added =
            caps.getAdd().stream().filter(a -> !RESTRICTED_CAPABILITY_ADDS.contains(a)).toList();
        if (!added.isEmpty()) {
          out.add(who + " adds capabilities " + String.join(", ", added));
        }
      }
      if (sc != null && sc.getSeccompProfile() != null) {
        if (!profileOk(sc.getSeccompProfile().getType())) {
          out.add(who + " seccompProfile " + sc.getSeccompProfile().getType());
        }
      } else if (!podSeccomp) {
        out.add(who + " seccompProfile RuntimeDefault or Localhost required (pod or container)");
      }
    }
    return out;
  }

  /** Init, app and ephemeral containers, as the admission plugin visits them. */
  private static List<Container> containers(PodSpec spec) {
    List<Container> all = new ArrayList<>();
    if (spec.getInitContainers() != null) {
      all.addAll(spec.getInitContainers());
    }
    if (spec.getContainers() != null) {
      all.addAll(spec.getContainers());
    }
    if (spec.getEphemeralContainers() != null) {
      for (EphemeralContainer e : spec.getEphemeralContainers()) {
        Container c = new Container();
        c.setName(e.getName());
        c.setSecurityContext(e.getSecurityContext());
        c.setPorts(e.getPorts());
        c.setLivenessProbe(e.getLivenessProbe());
        c.setReadinessProbe(e.getReadinessProbe());
        c.setStartupProbe(e.getStartupProbe());
        c.setLifecycle(e.getLifecycle());
        all.add(c);
      }
    }
    return all;
  }

  /** The restricted profile's volume types; anything else (hostPath first of all) is refused. */
  private static String forbiddenVolumeType(Volume v) {
    if (v.getConfigMap() != null
        || v.getCsi() != null
        || v.getDownwardAPI() != null
        || v.getEmptyDir() != null
        || v.getEphemeral() != null
        || v.getImage() != null
        || v.getPersistentVolumeClaim() != null
        || v.getProjected() != null
        || v.getSecret() != null) {
      return null;
    }
    if (v.getHostPath() != null) {
      return "hostPath";
    }
    if (v.getNfs() != null) {
      return "nfs";
    }
    if (v.getGitRepo() != null) {
      return "gitRepo";
    }
    return "restricted";
  }

  private static boolean profileOk(String type) {
    return "RuntimeDefault".equals(type) || "Localhost".equals(type);
  }

  private static boolean badSeLinux(SELinuxOptions options) {
    if (options == null) {
      return false;
    }
    boolean typeOk =
        options.getType() == null
            || options.getType().isEmpty()
            || SELINUX_TYPES.contains(options.getType());
    return !typeOk
        || (options.getUser() != null && !options.getUser().isEmpty())
        || (options.getRole() != null && !options.getRole().isEmpty());
  }

  private static boolean hostInProbeOrHook(Container c) {
    for (Probe probe :
        new Probe[] {c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe()}) {
      if (probe != null
          && ((probe.getHttpGet() != null && notEmpty(probe.getHttpGet().getHost()))
              || (probe.getTcpSocket() != null && notEmpty(probe.getTcpSocket().getHost())))) {
        return true;
      }
    }
    if (c.getLifecycle() != null) {
      for (LifecycleHandler h :
          new LifecycleHandler[] {c.getLifecycle().getPostStart(), c.getLifecycle().getPreStop()}) {
        if (h != null
            && ((h.getHttpGet() != null && notEmpty(h.getHttpGet().getHost()))
                || (h.getTcpSocket() != null && notEmpty(h.getTcpSocket().getHost())))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean notEmpty(String s) {
    return s != null && !s.isEmpty();
  }
}
