package dev.patchops.rollout;

import dev.patchops.testing.ServiceBootChecks;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithRolloutInfra
class RolloutServiceBootTest extends ServiceBootChecks {
  @Override
  protected String serviceName() {
    return "rollout-service";
  }

  @Override
  protected java.util.Map<String, dev.patchops.testing.PoisonRecords.Target> poisonTargets() {
    return java.util.Map.of(
        dev.patchops.contract.Topics.TICKETS,
        new dev.patchops.testing.PoisonRecords.Target(
            dev.patchops.contract.EventType.PATCH_APPROVED, "ticket-service"));
  }
}
