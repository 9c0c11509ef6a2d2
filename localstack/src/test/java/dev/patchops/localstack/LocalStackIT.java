package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

  @Test
  void theSuiteComesUpOpensATicketFromAnAlertAuditsItAndStopsCleanly() throws Exception {
    Path home = Files.createTempDirectory("patchops-local");
    LocalStack stack =
        new LocalStack(Path.of("..").toAbsolutePath().normalize(), home, 18181, java.util.Map.of());
    try {
      stack.start();
      for (String service : LocalStack.SERVICES) {
        assertThat(
                send(HttpRequest.newBuilder(URI.create(stack.url(service) + "/q/health/ready")))
                    .statusCode())
            .as(service)
            .isEqualTo(200);
      }
      // Security is on: no token, no tickets.
      assertThat(
              send(HttpRequest.newBuilder(
                      URI.create(stack.url("ticket-service") + "/api/v1/tickets")))
                  .statusCode())
          .isEqualTo(401);
      String hookToken = Files.readString(home.resolve("keys/alertmanager.token")).strip();
      HttpResponse<String> alert =
          send(
              HttpRequest.newBuilder(
                      URI.create(stack.url("ticket-service") + "/hooks/alertmanager"))
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
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      String verify = "";
      while (System.nanoTime() < deadline) {
        verify =
            send(HttpRequest.newBuilder(
                        URI.create(stack.url("audit-service") + "/api/v1/audit/verify"))
                    .header("Authorization", "Bearer " + auditor))
                .body();
        if (verify.contains("\"valid\":true") && !verify.contains("\"recordsChecked\":0")) {
          break;
        }
        Thread.sleep(250);
      }
      assertThat(verify).contains("\"valid\":true").doesNotContain("\"recordsChecked\":0");
      assertThat(home.resolve("kubeconfig"))
          .content()
          .contains("server: http://127.0.0.1:" + stack.kubePort());
    } finally {
      stack.stop();
    }
    assertThat(
            ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").contains(home.toString()))
                .toList())
        .as("processes left behind")
        .isEmpty();
  }
}
