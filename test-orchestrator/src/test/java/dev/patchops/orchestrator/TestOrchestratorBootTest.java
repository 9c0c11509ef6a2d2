package dev.patchops.orchestrator;

import dev.patchops.testing.ServiceBootChecks;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithOrchestratorInfra
class TestOrchestratorBootTest extends ServiceBootChecks {
  @Override
  protected String serviceName() {
    return "test-orchestrator";
  }
}
