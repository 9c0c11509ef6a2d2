package dev.patchops.devstack.kube;

import dev.patchops.devstack.Pem;
import dev.patchops.devstack.Ports;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver (TLS, RBAC and Node
 * authorization, the default admission plugins with ValidatingAdmissionPolicy and Pod Security),
 * kube-controller-manager and kube-scheduler, each its own process. It runs no kubelet: whatever
 * plays the Nodes is started beside it by the caller.
 *
 * <p>Its directory keeps etcd's data, the serving certificate, the service-account key and the
 * admin token, so a second start over the same directory finds the cluster as it was left.
 */
public final class ControlPlane implements AutoCloseable {
  public static final String ADMIN = "patchops-admin";
  private static final String SERVICE_CIDR = "10.96.0.0/16";

  private final Path directory;
  private final KubeBinaries binaries;
  private final int apiPort;
  private final Consumer<String> log;
  private final Map<String, KubeProcess> processes = new LinkedHashMap<>();
  private String token;
  private String caPem;

  private ControlPlane(Path directory, KubeBinaries binaries, int apiPort, Consumer<String> log) {
    this.directory = directory;
    this.binaries = binaries;
    this.apiPort = apiPort;
    this.log = log;
  }

  /**
   * Starts the control plane over {@code directory} and waits until the API server is ready and the
   * controllers act. {@code apiPort} 0 takes a free port.
   */
  public static ControlPlane start(
      Path directory, KubeBinaries binaries, int apiPort, Duration timeout, Consumer<String> log) {
    ControlPlane plane =
        new ControlPlane(directory, binaries, apiPort == 0 ? Ports.free() : apiPort, log);
    try {
      plane.startAll(timeout);
      return plane;
    } catch (RuntimeException e) {
      plane.close();
      throw e;
    }
  }

  public String serverUrl() {
    return "https://127.0.0.1:" + apiPort;
  }

  /** A bearer token of the cluster's administrator (group {@code system:masters}). */
  public String adminToken() {
    return token;
  }

  /** The PEM of the API server's serving certificate chain, to trust it. */
  public String caPem() {
    return caPem;
  }

  public Path kubeconfig() {
    return directory.resolve("kubeconfig");
  }

  public Path directory() {
    return directory;
  }

  /** Pid of each running part, by name, for whoever measures the stack. */
  public Map<String, Long> pids() {
    Map<String, Long> pids = new LinkedHashMap<>();
    processes.forEach((name, p) -> p.serverPid().ifPresent(pid -> pids.put(name, pid)));
    return pids;
  }

  private void startAll(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      // The directory holds the admin token and the service-account signing key: owner only.
      Files.createDirectories(directory, OWNER_ONLY_DIR);
      Files.createDirectories(directory.resolve("pki"), OWNER_ONLY_DIR);
      Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
      KubeProcess.reapStale(directory);
      prepareCredentials();
      int etcdPort = Ports.free();
      int peerPort = Ports.free();
      String etcdUrl = "http://127.0.0.1:" + etcdPort;
      launch(
          "etcd",
          List.of(
              binaries.path("etcd").toString(),
              "--name=patchops",
              "--data-dir=" + directory.resolve("etcd-data"),
              "--listen-client-urls=" + etcdUrl,
              "--advertise-client-urls=" + etcdUrl,
              "--listen-peer-urls=http://127.0.0.1:" + peerPort,
              "--initial-advertise-peer-urls=http://127.0.0.1:" + peerPort,
              "--initial-cluster=patchops=http://127.0.0.1:" + peerPort,
              // A sandbox's data is worth less than its speed; envtest runs etcd the same way.
              "--unsafe-no-fsync=true",
              "--quota-backend-bytes=4294967296",
              "--log-level=warn"));
      launch(
          "kube-apiserver",
          List.of(
              binaries.path("kube-apiserver").toString(),
              "--etcd-servers=" + etcdUrl,
              "--bind-address=127.0.0.1",
              "--advertise-address=127.0.0.1",
              "--secure-port=" + apiPort,
              "--cert-dir=" + directory.resolve("pki"),
              "--service-cluster-ip-range=" + SERVICE_CIDR,
              "--authorization-mode=Node,RBAC",
              "--token-auth-file=" + directory.resolve("tokens.csv"),
              "--service-account-issuer=https://kubernetes.default.svc",
              "--service-account-key-file=" + directory.resolve("pki/sa.key"),
              "--service-account-signing-key-file=" + directory.resolve("pki/sa.key"),
              "--allow-privileged=true",
              // A loopback address may not be published as the kubernetes Service's endpoint.
              "--endpoint-reconciler-type=none",
              "--kubelet-preferred-address-types=InternalIP",
              "--profiling=false",
              "--v=0"));
      waitForApi(deadline);
      writeKubeconfig();
      List<String> common =
          List.of(
              "--kubeconfig=" + kubeconfig(),
              "--leader-elect=false",
              "--bind-address=127.0.0.1",
              "--secure-port=0",
              "--profiling=false",
              "--v=0");
      List<String> manager =
          new ArrayList<>(
              List.of(
                  binaries.path("kube-controller-manager").toString(),
                  "--service-account-private-key-file=" + directory.resolve("pki/sa.key"),
                  "--root-ca-file=" + directory.resolve("pki/apiserver.crt"),
                  "--service-cluster-ip-range=" + SERVICE_CIDR,
                  // The sandbox's Pods need no real network: no CIDRs to hand out, no cloud.
                  "--allocate-node-cidrs=false",
                  "--controllers=*,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller"));
      manager.addAll(common);
      launch("kube-controller-manager", manager);
      List<String> scheduler = new ArrayList<>(List.of(binaries.path("kube-scheduler").toString()));
      scheduler.addAll(common);
      launch("kube-scheduler", scheduler);
      waitForControllers(deadline);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void launch(String name, List<String> command) {
    log.accept("starting " + name);
    processes.put(name, KubeProcess.start(directory.resolve(name), command));
  }

  /** The service-account key and the admin token are made once and kept with the cluster's data. */
  private void prepareCredentials() throws IOException {
    Path key = directory.resolve("pki/sa.key");
    if (!Files.exists(key)) {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        writePrivate(key, Pem.encode("PRIVATE KEY", pair.getPrivate().getEncoded()));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
    Path tokens = directory.resolve("tokens.csv");
    if (!Files.exists(tokens)) {
      byte[] secret = new byte[24];
      new SecureRandom().nextBytes(secret);
      writePrivate(
          tokens,
          HexFormat.of().formatHex(secret) + "," + ADMIN + "," + ADMIN + ",\"system:masters\"\n");
    }
    token = Files.readString(tokens).split(",")[0];
  }

  private void waitForApi(long deadline) throws IOException {
    Path cert = directory.resolve("pki/apiserver.crt");
    HttpClient http = null;
    String last = "not answering";
    while (System.nanoTime() < deadline) {
      processes.get("kube-apiserver").requireAlive();
      processes.get("etcd").requireAlive();
      if (http == null && Files.exists(cert) && Files.size(cert) > 0) {
        caPem = Files.readString(cert);
        http =
            HttpClient.newBuilder()
                .sslContext(trusting(caPem))
                .connectTimeout(Duration.ofSeconds(2))
                .build();
      }
      if (http != null) {
        try {
          HttpResponse<String> response =
              http.send(
                  HttpRequest.newBuilder(URI.create(serverUrl() + "/readyz"))
                      .header("Authorization", "Bearer " + token)
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 200) {
            return;
          }
          last = "readyz " + response.statusCode();
        } catch (IOException e) {
          last = e.toString();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while the API server started");
        }
      }
      pause(250);
    }
    throw new IllegalStateException(
        "the API server was not ready in time ("
            + last
            + "); see "
            + processes.get("kube-apiserver").log());
  }

  /**
   * The controllers act once the service-account controller has given the default namespace its
   * ServiceAccount: before that, no Pod of a Deployment could be created.
   */
  private void waitForControllers(long deadline) {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(trusting(caPem))
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    while (System.nanoTime() < deadline) {
      processes.values().forEach(KubeProcess::requireAlive);
      try {
        int status =
            http.send(
                    HttpRequest.newBuilder(
                            URI.create(
                                serverUrl() + "/api/v1/namespaces/default/serviceaccounts/default"))
                        .header("Authorization", "Bearer " + token)
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode();
        if (status == 200) {
          return;
        }
      } catch (IOException e) {
        // Not yet.
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the controllers started");
      }
      pause(250);
    }
    throw new IllegalStateException(
        "the controller manager did not act in time; see "
            + processes.get("kube-controller-manager").log());
  }

  private void writeKubeconfig() throws IOException {
    String ca = Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.UTF_8));
    writePrivate(kubeconfig(), kubeconfigText(serverUrl(), ca, ADMIN, token, "default"));
  }

  private static final java.nio.file.attribute.FileAttribute<?> OWNER_ONLY_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));

  /** Written readable by its owner only, from the first byte: it holds a credential. */
  public static void writePrivate(Path file, String content) throws IOException {
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content);
  }

  private static String kubeconfigText(
      String server, String caData, String user, String bearerToken, String namespace) {
    return String.join(
        "\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: patchops-local",
        "  cluster:",
        "    server: " + server,
        "    certificate-authority-data: " + caData,
        "contexts:",
        "- name: patchops-local",
        "  context:",
        "    cluster: patchops-local",
        "    namespace: " + namespace,
        "    user: " + user,
        "current-context: patchops-local",
        "users:",
        "- name: " + user,
        "  user:",
        "    token: " + bearerToken,
        "");
  }

  public static SSLContext trusting(String pem) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert :
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(pem.getBytes(StandardCharsets.UTF_8)))) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException("cannot trust the API server's certificate", e);
    }
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    }
  }

  /** Stops the parts in reverse order of their start; nothing is left running. */
  @Override
  public void close() {
    List<KubeProcess> reversed = new ArrayList<>(processes.values());
    java.util.Collections.reverse(reversed);
    reversed.forEach(KubeProcess::stop);
    processes.clear();
  }
}
