package dev.patchops.orchestrator.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EphemeralContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Each rule of Pod Security restricted (1.34) that applies to a pod spec, alone. */
class PodSecurityTest {

  /** A pod that satisfies restricted: the fixture's own settings. */
  private static PodSpec compliant() {
    return new PodSpecBuilder()
        .withSecurityContext(ProductionNamespace.restrictedPod())
        .addToInitContainers(container("migrate"))
        .addToContainers(container("app"), container("sidecar"))
        .build();
  }

  private static Container container(String name) {
    return new ContainerBuilder()
        .withName(name)
        .withImage("registry.example/" + name + ":1")
        .withSecurityContext(ProductionNamespace.restrictedContainer())
        .build();
  }

  private static List<String> violations(Consumer<PodSpec> change) {
    PodSpec spec = compliant();
    change.accept(spec);
    return PodSecurity.violations(null, spec);
  }

  private static SecurityContext app(PodSpec spec) {
    return spec.getContainers().get(0).getSecurityContext();
  }

  private static Volume volume(String name, Consumer<VolumeBuilder> source) {
    VolumeBuilder b = new VolumeBuilder().withName(name);
    source.accept(b);
    return b.build();
  }

  @Test
  void aCompliantPodPassesAndTheWorkloadIsNamedInEveryViolation() {
    assertThat(PodSecurity.violations(null, compliant())).isEmpty();
    PodTemplateSpec template = new PodTemplateSpecBuilder().withSpec(compliant()).build();
    template.getSpec().getContainers().get(0).getSecurityContext().setPrivileged(true);
    assertThat(PodSecurity.violations("Deployment", "payments", template))
        .containsExactly("Deployment payments: container app is privileged");
    assertThat(PodSecurity.violations("Deployment", "payments", null)).isEmpty();
  }

  @Test
  void hostNamespacesAreRefused() {
    assertThat(violations(s -> s.setHostNetwork(true))).containsExactly("hostNetwork is true");
    assertThat(violations(s -> s.setHostPID(true))).containsExactly("hostPID is true");
    assertThat(violations(s -> s.setHostIPC(true))).containsExactly("hostIPC is true");
    assertThat(violations(s -> s.setHostNetwork(false))).isEmpty();
  }

  @Test
  void privilegedContainersAndHostProcessAreRefused() {
    assertThat(violations(s -> app(s).setPrivileged(true)))
        .containsExactly("container app is privileged");
    assertThat(violations(s -> app(s).setPrivileged(false))).isEmpty();
    assertThat(
            violations(
                s ->
                    app(s)
                        .setWindowsOptions(
                            new io.fabric8.kubernetes.api.model
                                    .WindowsSecurityContextOptionsBuilder()
                                .withHostProcess(true)
                                .build())))
        .containsExactly("container app is a Windows hostProcess");
  }

  @Test
  void onlyTheRestrictedVolumeTypesAreAllowed() {
    assertThat(
            violations(
                s ->
                    s.setVolumes(
                        List.of(
                            volume("data", v -> v.withNewHostPath("/var/lib/data", "Directory")),
                            volume("share", v -> v.withNewNfs("/export", false, "nfs.example")),
                            volume("tmp", v -> v.withNewEmptyDir().endEmptyDir()),
                            volume("cfg", v -> v.withNewConfigMap().withName("c").endConfigMap()),
                            volume("sec", v -> v.withNewSecret().withSecretName("s").endSecret()),
                            volume(
                                "claim",
                                v ->
                                    v.withNewPersistentVolumeClaim()
                                        .withClaimName("c")
                                        .endPersistentVolumeClaim()),
                            volume("proj", v -> v.withNewProjected().endProjected()),
                            volume("down", v -> v.withNewDownwardAPI().endDownwardAPI())))))
        .containsExactly("hostPath volume data", "nfs volume share");
  }

  @Test
  void hostPortsAreRefused() {
    assertThat(
            violations(
                s ->
                    s.getContainers()
                        .get(0)
                        .setPorts(
                            List.of(
                                new io.fabric8.kubernetes.api.model.ContainerPortBuilder()
                                    .withContainerPort(8080)
                                    .withHostPort(80)
                                    .build()))))
        .containsExactly("container app uses hostPort 80");
  }

  @Test
  void capabilitiesMustDropAllAndMayAddOnlyNetBindService() {
    assertThat(violations(s -> app(s).setCapabilities(null)))
        .containsExactly("container app capabilities must drop ALL");
    assertThat(violations(s -> app(s).getCapabilities().setDrop(List.of("NET_RAW"))))
        .containsExactly("container app capabilities must drop ALL");
    assertThat(violations(s -> app(s).getCapabilities().setAdd(List.of("NET_BIND_SERVICE"))))
        .isEmpty();
    assertThat(violations(s -> app(s).getCapabilities().setAdd(List.of("SYS_ADMIN", "NET_ADMIN"))))
        .containsExactly("container app adds capabilities SYS_ADMIN, NET_ADMIN");
  }

  @Test
  void privilegeEscalationMustBeFalseInEveryContainerInitAndEphemeralIncluded() {
    assertThat(violations(s -> app(s).setAllowPrivilegeEscalation(null)))
        .containsExactly("container app allowPrivilegeEscalation not false");
    assertThat(violations(s -> app(s).setAllowPrivilegeEscalation(true)))
        .containsExactly("container app allowPrivilegeEscalation not false");
    assertThat(violations(s -> s.getInitContainers().get(0).setSecurityContext(null)))
        .containsExactly(
            "container migrate allowPrivilegeEscalation not false",
            "container migrate capabilities must drop ALL");
    assertThat(
            violations(
                s ->
                    s.setEphemeralContainers(
                        List.of(
                            new EphemeralContainerBuilder()
                                .withName("debug")
                                .withImage("busybox")
                                .withNewSecurityContext()
                                .withPrivileged(true)
                                .endSecurityContext()
                                .build()))))
        .contains(
            "container debug is privileged",
            "container debug allowPrivilegeEscalation not false",
            "container debug capabilities must drop ALL");
  }

  @Test
  void runAsNonRootMustBeTrueOnThePodOrEveryContainerAndRootIsNeverNamed() {
    assertThat(violations(s -> s.getSecurityContext().setRunAsNonRoot(null)))
        .containsExactly(
            "container migrate runAsNonRoot not set (pod or container must set it true)",
            "container app runAsNonRoot not set (pod or container must set it true)",
            "container sidecar runAsNonRoot not set (pod or container must set it true)");
    assertThat(
            violations(
                s -> {
                  s.getSecurityContext().setRunAsNonRoot(null);
                  s.getInitContainers().forEach(c -> c.getSecurityContext().setRunAsNonRoot(true));
                  s.getContainers().forEach(c -> c.getSecurityContext().setRunAsNonRoot(true));
                }))
        .isEmpty();
    assertThat(violations(s -> app(s).setRunAsNonRoot(false)))
        .containsExactly("container app runAsNonRoot is false");
    assertThat(violations(s -> s.getSecurityContext().setRunAsNonRoot(false)))
        .contains("pod runAsNonRoot is false");
    assertThat(violations(s -> s.getSecurityContext().setRunAsUser(0L)))
        .containsExactly("pod runAsUser is 0");
    assertThat(violations(s -> app(s).setRunAsUser(0L)))
        .containsExactly("container app runAsUser is 0");
    assertThat(violations(s -> app(s).setRunAsUser(1000L))).isEmpty();
  }

  @Test
  void seccompMustBeRuntimeDefaultOrLocalhostOnThePodOrEveryContainer() {
    assertThat(violations(s -> s.getSecurityContext().setSeccompProfile(null)))
        .hasSize(3)
        .allMatch(
            v ->
                v.endsWith(
                    "seccompProfile RuntimeDefault or Localhost required (pod or container)"));
    assertThat(
            violations(
                s -> {
                  s.getSecurityContext().setSeccompProfile(null);
                  s.getInitContainers()
                      .forEach(
                          c ->
                              c.getSecurityContext()
                                  .setSeccompProfile(
                                      new io.fabric8.kubernetes.api.model.SeccompProfile(
                                          "profiles/app.json", "Localhost")));
                  s.getContainers()
                      .forEach(
                          c ->
                              c.getSecurityContext()
                                  .setSeccompProfile(
                                      new io.fabric8.kubernetes.api.model.SeccompProfile(
                                          null, "RuntimeDefault")));
                }))
        .isEmpty();
    assertThat(
            violations(
                s ->
                    app(s)
                        .setSeccompProfile(
                            new io.fabric8.kubernetes.api.model.SeccompProfile(
                                null, "Unconfined"))))
        .containsExactly("container app seccompProfile Unconfined");
    assertThat(violations(s -> s.getSecurityContext().getSeccompProfile().setType("Unconfined")))
        .contains("pod seccompProfile Unconfined");
  }

  @Test
  void windowsPodsAreNotAskedForSeccompCapabilitiesOrEscalation() {
    assertThat(
            violations(
                s -> {
                  s.setOs(new io.fabric8.kubernetes.api.model.PodOS("windows"));
                  s.getSecurityContext().setSeccompProfile(null);
                  s.getContainers().forEach(c -> c.setSecurityContext(null));
                  s.getInitContainers().forEach(c -> c.setSecurityContext(null));
                }))
        .isEmpty();
  }

  @Test
  void seLinuxAppArmorProcMountSysctlsAndProbeHostsFollowBaseline() {
    assertThat(
            violations(
                s ->
                    app(s)
                        .setSeLinuxOptions(
                            new io.fabric8.kubernetes.api.model.SELinuxOptions(
                                null, null, "spc_t", null))))
        .containsExactly(
            "container app seLinuxOptions set a type other than container_* or a user or role");
    assertThat(
            violations(
                s ->
                    app(s)
                        .setSeLinuxOptions(
                            new io.fabric8.kubernetes.api.model.SELinuxOptions(
                                null, null, "container_t", null))))
        .isEmpty();
    assertThat(
            violations(
                s ->
                    s.getSecurityContext()
                        .setAppArmorProfile(
                            new io.fabric8.kubernetes.api.model.AppArmorProfile(
                                null, "Unconfined"))))
        .containsExactly("pod AppArmor profile Unconfined");
    assertThat(
            PodSecurity.violations(
                new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
                    .withAnnotations(
                        Map.of("container.apparmor.security.beta.kubernetes.io/app", "unconfined"))
                    .build(),
                compliant()))
        .containsExactly(
            "annotation container.apparmor.security.beta.kubernetes.io/app=unconfined");
    assertThat(violations(s -> app(s).setProcMount("Unmasked")))
        .containsExactly("container app procMount Unmasked");
    assertThat(
            violations(
                s ->
                    s.getSecurityContext()
                        .setSysctls(
                            List.of(
                                new io.fabric8.kubernetes.api.model.Sysctl(
                                    "net.ipv4.tcp_syncookies", "1"),
                                new io.fabric8.kubernetes.api.model.Sysctl(
                                    "kernel.msgmax", "65536")))))
        .containsExactly("sysctl kernel.msgmax is not a safe sysctl");
    assertThat(
            violations(
                s ->
                    s.getContainers()
                        .get(0)
                        .setLivenessProbe(
                            new io.fabric8.kubernetes.api.model.ProbeBuilder()
                                .withNewHttpGet()
                                .withHost("10.0.0.1")
                                .withPort(new IntOrString(8080))
                                .endHttpGet()
                                .build())))
        .containsExactly("container app probe or lifecycle hook sets a host");
  }
}
