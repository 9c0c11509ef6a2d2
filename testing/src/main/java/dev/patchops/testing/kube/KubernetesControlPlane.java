package dev.patchops.testing.kube;

import dev.patchops.devstack.Workspace;
import dev.patchops.devstack.kube.ControlPlane;
import dev.patchops.devstack.kube.KubeBinaries;
import dev.patchops.sandbox.Kubeconfigs;
import dev.patchops.sandbox.Manifests;
import dev.patchops.sandbox.SandboxControl;
import dev.patchops.sandbox.SimulatedKubelet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

/**
 * A real Kubernetes control plane for a module's tests: API server, controller manager and
 * scheduler, one per test JVM and shared like Kafka and PostgreSQL, with the CRDs and the access
 * objects of {@code deploy/} (namespace, ServiceAccounts, RBAC, admission policy) applied. The
 * service under test talks to it as its own ServiceAccount of {@code deploy/} when the module names
 * it ({@code serviceAccount=<namespace>/<name>} as an init argument), so the real authorizer checks
 * every call the suite makes against the service's RBAC; otherwise as the cluster's administrator.
 *
 * <p>The simulated kubelet plays the Nodes beside it; tests make it break things through {@link
 * KubeletFaults}.
 */
public class KubernetesControlPlane implements QuarkusTestResourceLifecycleManager {
  static final String KUBECONFIG_PROPERTY = "devstack.test.kubeconfig";
  private static ControlPlane plane;
  private static ApiFaultProxy proxy;
  private static SandboxControl kubeletControls;
  private String serviceAccount;

  /**
   * Long enough for a module's whole suite: a token that expires mid-run would look like a revoked
   * right.
   */
  private static final long TOKEN_SECONDS = 6 * 3600L;

  @Override
  public void init(Map<String, String> initArgs) {
    serviceAccount = initArgs.get("serviceAccount");
  }

  @Override
  public Map<String, String> start() {
    synchronized (KubernetesControlPlane.class) {
      if (plane == null) {
        startAll();
      }
    }
    System.setProperty(KubeletFaults.URL_PROPERTY, "http://127.0.0.1:" + kubeletControls.port());
    System.setProperty(KUBECONFIG_PROPERTY, plane.kubeconfig().toString());
    System.setProperty(ApiFaults.URL_PROPERTY, proxy.url());
    // The service reaches the API server through the fault proxy, so tests can make it fail; the
    // tests' own clients go straight to the server.
    String token = plane.adminToken();
    String namespace = "default";
    if (serviceAccount != null) {
      String[] account = serviceAccount.split("/", 2);
      namespace = account[0];
      token = TestCluster.tokenOf(account[0], account[1], TOKEN_SECONDS);
    }
    return Map.of(
        "quarkus.kubernetes-client.api-server-url",
        proxy.url(),
        "quarkus.kubernetes-client.token",
        token,
        "quarkus.kubernetes-client.namespace",
        namespace,
        "kubernetes.auth.tryKubeConfig",
        "false");
  }

  /**
   * All or nothing: a part that fails to start stops the ones before it, so a later test class
   * neither finds half a cluster nor starts a second one beside a leftover.
   */
  private static void startAll() {
    KubeBinaries binaries;
    try {
      binaries = KubeBinaries.ensure(line -> System.out.println("[control plane] " + line));
    } catch (KubeBinaries.BuildFailed e) {
      throw new IllegalStateException(e.oneLine(), e);
    }
    Workspace workspace = Workspace.createTemporary();
    ControlPlane started = null;
    ApiFaultProxy startedProxy = null;
    try {
      started =
          ControlPlane.start(
              workspace.resolve("kube"), binaries, 0, Duration.ofSeconds(120), line -> {});
      try (KubernetesClient admin = admin(started)) {
        Manifests.install(admin, Manifests.deployDir());
      }
      startedProxy =
          ApiFaultProxy.start(started.serverUrl(), ControlPlane.trusting(started.caPem()));
      kubeletControls = startKubelet(started);
    } catch (RuntimeException e) {
      if (startedProxy != null) {
        startedProxy.close();
      }
      if (started != null) {
        started.close();
      }
      workspace.delete();
      throw e;
    }
    ControlPlane stopping = started;
    // One hook, in order: the parts' pid files must outlive their stop.
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.close();
                  workspace.delete();
                },
                "control-plane-stop"));
    proxy = startedProxy;
    plane = started;
  }

  /** The kubelet of the simulated Nodes, for as long as the JVM runs, with its controls. */
  private static SandboxControl startKubelet(ControlPlane plane) {
    SimulatedKubelet kubelet = new SimulatedKubelet(admin(plane)).start();
    try {
      return SandboxControl.start(0, kubelet, SimulatedKubelet.JobScript.PASS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KubernetesClient admin(ControlPlane plane) {
    return Kubeconfigs.client(plane.kubeconfig());
  }

  @Override
  public void stop() {
    // The plane outlives one Quarkus boot: the next boot of this JVM reuses it; the JVM's exit
    // (and the watchdog of each part, should the JVM be killed) stops it.
  }
}
