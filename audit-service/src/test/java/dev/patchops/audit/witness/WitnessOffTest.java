package dev.patchops.audit.witness;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.audit.AuditSigningKeyResource;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.testing.PatchOpsInfra;
import dev.patchops.testing.TestInfra;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

/**
 * The audit-service as deployed: the witness is off, its datasource inactive, and the service boots
 * and serves without either (a boot of its own, without the witness's resources).
 */
@QuarkusTest
@WithTestResource(
    value = PatchOpsInfra.class,
    initArgs = {
      @ResourceArg(name = PatchOpsInfra.RUNTIME_USER_ARG, value = WithAuditInfra.RUNTIME_USER),
      @ResourceArg(name = PatchOpsInfra.MIGRATION_USER_ARG, value = WithAuditInfra.OWNER)
    })
@WithTestResource(AuditSigningKeyResource.class)
class WitnessOffTest {
  @Inject AuditWitness witness;

  @Test
  void theServiceBootsWithTheWitnessOffAndNoWitnessConsumerRuns() throws Exception {
    given().get("/q/health/ready").then().statusCode(200);
    assertThat(witness.mismatch()).isEqualTo(-1);
    try (Admin admin = Admin.create(TestInfra.kafkaConfig())) {
      // The trail's own group shows the broker has seen this service's consumers.
      await().atMost(Duration.ofSeconds(30)).until(() -> groups(admin).contains("audit-service"));
      assertThat(groups(admin)).doesNotContain(AuditWitness.GROUP);
    }
  }

  private static List<String> groups(Admin admin) throws Exception {
    return admin.listConsumerGroups().all().get().stream().map(g -> g.groupId()).toList();
  }
}
