package dev.patchops.devstack.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.devstack.Workspace;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The control plane as started for the tests and the local stack. */
class ControlPlaneTest {
  @Test
  void itServesTlsOnLoopbackOnlyRefusesStrangersAndLeavesNothingWhenStopped() throws Exception {
    Workspace workspace = Workspace.createTemporary();
    Map<String, Long> pids;
    try (ControlPlane plane =
        ControlPlane.start(
            workspace.resolve("kube"),
            KubeBinaries.ensure(System.out::println),
            0,
            Duration.ofSeconds(120),
            line -> {})) {
      pids = plane.pids();
      assertThat(pids)
          .containsOnlyKeys("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler");
      // HTTP/1.1: the API server answers an anonymous HTTP/2 client with GOAWAY (CVE-2023-44487).
      HttpClient tls =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(ControlPlane.trusting(plane.caPem()))
              .build();
      // Authenticated by the admin token; an anonymous caller is not allowed to list anything.
      assertThat(
              get(tls, plane.serverUrl() + "/api/v1/namespaces", plane.adminToken()).statusCode())
          .isEqualTo(200);
      assertThat(get(tls, plane.serverUrl() + "/api/v1/namespaces", null).statusCode())
          .isIn(401, 403);
      assertThat(get(tls, plane.serverUrl() + "/version", plane.adminToken()).body())
          .contains("\"gitVersion\": \"" + KubeBinaries.KUBERNETES_VERSION + "\"");
      int port = URI.create(plane.serverUrl()).getPort();
      nonLoopbackAddress()
          .ifPresent(
              address -> {
                try (Socket socket = new Socket()) {
                  socket.connect(new InetSocketAddress(address, port), 1000);
                  throw new AssertionError("the API server answers on " + address);
                } catch (java.io.IOException refused) {
                  // Loopback only, as it should be.
                }
              });
      assertThat(plane.kubeconfig()).content().contains("certificate-authority-data:");
      // The admin token and the signing key are the owner's alone.
      for (String secret : new String[] {"kubeconfig", "tokens.csv", "pki/sa.key"}) {
        assertThat(
                java.nio.file.attribute.PosixFilePermissions.toString(
                    java.nio.file.Files.getPosixFilePermissions(plane.directory().resolve(secret))))
            .as(secret)
            .isEqualTo("rw-------");
      }
      assertThat(
              java.nio.file.attribute.PosixFilePermissions.toString(
                  java.nio.file.Files.getPosixFilePermissions(plane.directory())))
          .isEqualTo("rwx------");
    } finally {
      workspace.delete();
    }
    for (var entry : pids.entrySet()) {
      assertThat(ProcessHandle.of(entry.getValue()).map(ProcessHandle::isAlive).orElse(false))
          .as(entry.getKey() + " still running")
          .isFalse();
    }
  }

  private static HttpResponse<String> get(HttpClient http, String url, String token)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws Exception {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (!address.isLoopbackAddress() && address instanceof java.net.Inet4Address) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }
}
