package dev.patchops.audit.witness;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.audit.AuditSigningKeyResource;
import dev.patchops.audit.WithAuditInfra;
import dev.patchops.testing.PatchOpsInfra;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * The audit-service as deployed: the witness is off, its datasource inactive, and the service
 * boots and serves without either (a boot of its own, without the witness's resources).
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
  @Inject MeterRegistry registry;

  @Test
  void theServiceBootsWithTheWitnessOffAndItsStoreUntouched() {
    given().get("/q/health/ready").then().statusCode(200);
    assertThat(witness.mismatch()).isEqualTo(-1);
    assertThat(registry.find("patchops.audit.witness.mismatch").gauge()).isNull();
  }
}
