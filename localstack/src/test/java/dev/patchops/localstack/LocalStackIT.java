package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchops.devstack.KafkaBroker;
import dev.patchops.devstack.PostgresServer;
import dev.patchops.devstack.kube.ControlPlane;
import dev.patchops.devstack.kube.KubeBinaries;
import dev.patchops.sandbox.Kubeconfigs;
import dev.patchops.sandbox.Manifests;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The README's run command, as the launcher does it: the four packaged services as processes on a
 * fresh home directory, reachable, secured, talking over Kafka, and stopped without leftovers.
 */
class LocalStackIT {
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An alert through the hook opens a ticket, and the audit trail has it, verified. */
  static void alertReachesTheAuditTrail(LocalStack stack, Path home) throws Exception {
    String hookToken = Files.readString(home.resolve("keys/alertmanager.token")).strip();
    HttpResponse<String> alert =
        send(
            HttpRequest.newBuilder(URI.create(stack.url("ticket-service") + "/hooks/alertmanager"))
                .header("Authorization", "Bearer " + hookToken)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofFile(
                        Path.of("../docs/examples/alertmanager.json"))));
    assertThat(alert.statusCode()).isEqualTo(202);
    assertThat(alert.body()).contains("\"tickets\":[\"TCK-");
    String auditor =
        LocalStack.Keys.loadOrCreate(home.resolve("keys"))
            .jwt
            .mint("al", List.of("auditor"), Duration.ofMinutes(5));
    String verify =
        org.awaitility.Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(
                () ->
                    send(HttpRequest.newBuilder(
                                URI.create(stack.url("audit-service") + "/api/v1/audit/verify"))
                            .header("Authorization", "Bearer " + auditor))
                        .body(),
                body -> body.contains("\"valid\":true") && !body.contains("\"recordsChecked\":0"));
    assertThat(verify).contains("\"valid\":true").doesNotContain("\"recordsChecked\":0");
  }

  /** What this JVM runs now: a stack's processes are the ones that came after. */
  static java.util.Set<Long> children() {
    return ProcessHandle.current()
        .descendants()
        .map(ProcessHandle::pid)
        .collect(java.util.stream.Collectors.toSet());
  }

  /** Every process the stack started (services, broker, database) is gone. */
  static void noProcessLeft(java.util.Set<Long> before) throws InterruptedException {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () ->
                assertThat(
                        ProcessHandle.current()
                            .descendants()
                            .filter(p -> !before.contains(p.pid()) && p.isAlive())
                            // The watchdogs of processes that were already there tick with short
                            // sleeps.
                            .filter(
                                p ->
                                    p.parent()
                                        .map(parent -> !before.contains(parent.pid()))
                                        .orElse(true))
                            .map(p -> p.info().commandLine().orElse("?"))
                            .toList())
                    .as("processes left behind")
                    .isEmpty());
  }

  @Test
  void theSuiteComesUpOpensATicketFromAnAlertAuditsItAndStopsCleanly() throws Exception {
    Path home = Files.createTempDirectory("patchops-local");
    java.util.Set<Long> before = children();
    LocalStack stack =
        new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, 18181, java.util.Map.of());
    try {
      stack.start();
      for (String service : LocalStack.SERVICES) {
        assertThat(
                send(HttpRequest.newBuilder(
                        URI.create(stack.managementUrl(service) + "/q/health/ready")))
                    .statusCode())
            .as(service)
            .isEqualTo(200);
        // Metrics only on the management port, which deploy/ opens to the monitoring namespace.
        assertThat(
                send(HttpRequest.newBuilder(
                        URI.create(stack.managementUrl(service) + "/q/metrics")))
                    .statusCode())
            .as(service + " metrics")
            .isEqualTo(200);
        assertThat(
                send(HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/metrics")))
                    .statusCode())
            .as(service + " metrics on the REST port")
            .isEqualTo(404);
      }
      // Security is on: no token, no tickets.
      assertThat(
              send(HttpRequest.newBuilder(
                      URI.create(stack.url("ticket-service") + "/api/v1/tickets")))
                  .statusCode())
          .isEqualTo(401);
      alertReachesTheAuditTrail(stack, home);
      assertThat(home.resolve("kubeconfig"))
          .content()
          .contains("server: https://127.0.0.1:" + stack.kubePort());
      // A platform engineer's kubectl reaches it, discovery and printer columns included.
      Process kubectl =
          new ProcessBuilder(
                  "kubectl",
                  "--kubeconfig",
                  home.resolve("kubeconfig").toString(),
                  "get",
                  "patchrollouts,patchtests",
                  "-A")
              .redirectErrorStream(true)
              .start();
      String out = new String(kubectl.getInputStream().readAllBytes());
      assertThat(kubectl.waitFor()).as(out).isZero();
      assertThat(out).doesNotContain("error");
    } finally {
      stack.stop();
    }
    noProcessLeft(before);
  }

  @Test
  void givenAPostgresAKafkaAndAClusterItUsesThoseAndStartsNoneOfItsOwn() throws Exception {
    Path home = Files.createTempDirectory("patchops-external");
    Path elsewhere = Files.createTempDirectory("patchops-theirs");
    try (PostgresServer postgres = PostgresServer.start(elsewhere.resolve("pg"), false);
        KafkaBroker kafka = KafkaBroker.create(elsewhere.resolve("kafka"), 3)) {
      kafka.start(Duration.ofSeconds(120));
      // "Their" cluster: an API server with the CRDs and the namespace installed, as docs/deploy.md
      // asks, and nothing of the sandbox (no kubelet, no shop).
      // A second control plane, standing for their cluster, with nothing of the sandbox on it.
      ControlPlane cluster =
          ControlPlane.start(
              elsewhere.resolve("cluster"),
              KubeBinaries.ensure(line -> {}),
              0,
              Duration.ofSeconds(120),
              line -> {});
      try (KubernetesClient admin = Kubeconfigs.client(cluster.kubeconfig())) {
        Path kubeconfig = cluster.kubeconfig();
        Map<String, String> env =
            Map.of(
                "PATCHOPS_POSTGRES_URL",
                "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/",
                "PATCHOPS_POSTGRES_USER",
                PostgresServer.USER,
                "PATCHOPS_POSTGRES_PASSWORD",
                PostgresServer.PASSWORD,
                "PATCHOPS_KAFKA_BOOTSTRAP_SERVERS",
                kafka.bootstrapServers(),
                "PATCHOPS_KAFKA_CREDENTIALS",
                kafka.credentialsFile().toString(),
                "PATCHOPS_KUBECONFIG",
                kubeconfig.toString(),
                // Exported for someone's daily work: ignored, the variable above decides.
                "KUBECONFIG",
                "/nonexistent/kubeconfig");
        java.util.Set<Long> before = children();
        LocalStack refused =
            new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, 18191, env);
        try {
          assertThatThrownBy(refused::start)
              .isInstanceOf(LocalStack.StackException.class)
              .hasMessageContaining("no CRD patchtests.patchops.dev")
              .hasMessageContaining("kubectl apply -k deploy/kubernetes/crds");
        } finally {
          refused.stop();
        }
        // Refused before it touched their database or broker.
        try (var c =
                java.sql.DriverManager.getConnection(
                    postgres.jdbcUrl("postgres"), PostgresServer.USER, PostgresServer.PASSWORD);
            var rs =
                c.createStatement()
                    .executeQuery("select count(*) from pg_database where datname = 'ticket'")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).isZero();
        }

        // Prepared as docs/deploy.md asks: CRDs, the namespace and the services' RBAC.
        Manifests.install(admin, Path.of("../deploy/kubernetes"));

        LocalStack stack =
            new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, 18191, env);
        try {
          stack.start();
          alertReachesTheAuditTrail(stack, home);
          // The rollout-service took its leader lease in their cluster, not in a sandbox.
          assertThat(
                  admin.leases().inNamespace("patchops").withName("patchops-rollout-service").get())
              .isNotNull();
        } finally {
          stack.stop();
        }
        noProcessLeft(before);
        assertThat(home.resolve("postgres")).doesNotExist();
        assertThat(home.resolve("kafka")).doesNotExist();
        assertThat(home.resolve("kubeconfig")).doesNotExist();
        try (var c =
                java.sql.DriverManager.getConnection(
                    postgres.jdbcUrl("ticket"), PostgresServer.USER, PostgresServer.PASSWORD);
            var rs = c.createStatement().executeQuery("select count(*) from ticket")) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getLong(1)).as("tickets in their database").isEqualTo(1);
        }
      } finally {
        cluster.close();
      }
    }
  }
}
