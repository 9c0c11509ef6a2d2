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

  @Override
  protected java.util.Map<String, dev.patchops.testing.PoisonRecords.Target> poisonTargets() {
    return java.util.Map.of(
        dev.patchops.contract.Topics.TICKETS,
        new dev.patchops.testing.PoisonRecords.Target(
            dev.patchops.contract.EventType.PATCH_PROPOSED, "ticket-service"));
  }
}
