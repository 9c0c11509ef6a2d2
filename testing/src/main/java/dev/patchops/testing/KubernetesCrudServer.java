package dev.patchops.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * The fabric8 mock Kubernetes API in CRUD mode, as a plain test resource. {@code
 * WithKubernetesTestServer} only takes effect directly on a test class, so a module's shared
 * infrastructure annotation registers this instead. The mock runs no controllers: nothing becomes
 * ready and deletes do not cascade unless a test's simulator makes it so.
 */
public class KubernetesCrudServer implements QuarkusTestResourceLifecycleManager {
  private KubernetesServer server;

  @Override
  public Map<String, String> start() {
    server = new KubernetesServer(false, true, InetAddress.getLoopbackAddress(), 0, List.of());
    server.before();
    return Map.of(
        "quarkus.kubernetes-client.api-server-url",
        server.getKubernetesMockServer().url("/"),
        "quarkus.kubernetes-client.trust-certs",
        "true",
        "quarkus.kubernetes-client.namespace",
        "default");
  }

  /** Tests reach the server through a field annotated {@code @KubernetesTestServer}. */
  @Override
  public void inject(TestInjector injector) {
    injector.injectIntoFields(
        server,
        new TestInjector.AnnotatedAndMatchesType(
            KubernetesTestServer.class, KubernetesServer.class));
  }

  @Override
  public void stop() {
    if (server != null) {
      server.after();
    }
  }
}
