package dev.patchops.audit.verify;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.patchops.audit.WithAuditInfra;
import dev.patchops.platform.security.Roles;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A walk of the chain holds a connection and a transaction for as long as the chain takes: a second
 * one at the same time is refused with a 429, never queued onto the pool, while the periodic
 * self-check waits its turn instead of being skipped.
 */
@QuarkusTest
@WithAuditInfra
class VerifyBoundTest {
  @Inject ChainVerifier verifier;
  @Inject ChainSelfCheck selfCheck;

  @Test
  void aSecondWalkIsRefusedWhileOneRunsAndServedAfter() throws Exception {
    try (AutoCloseable running = verifier.begin()) {
      given()
          .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
          .get("/api/v1/audit/verify")
          .then()
          .statusCode(429)
          .contentType("application/problem+json")
          .header("Retry-After", "30")
          .body("type", equalTo("https://patchops.dev/problems/verification-busy"))
          .body("detail", containsString("audit.verify.max-concurrent"));
    }
    given()
        .header("Authorization", TestInfra.bearer("carol", Roles.AUDITOR))
        .get("/api/v1/audit/verify")
        .then()
        .statusCode(200)
        .body("valid", equalTo(true));
  }

  @Test
  void theSelfCheckWaitsForARunningWalk() throws Exception {
    AtomicReference<VerificationReport> report = new AtomicReference<>();
    Thread check;
    try (AutoCloseable running = verifier.begin()) {
      check = new Thread(() -> report.set(selfCheck.run()), "self-check");
      check.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> check.getState() == Thread.State.WAITING);
      assertThat(report.get()).as("no report while the other walk runs").isNull();
    }
    check.join(Duration.ofMinutes(2).toMillis());
    assertThat(report.get()).isNotNull();
    assertThat(report.get().valid()).isTrue();
  }
}
