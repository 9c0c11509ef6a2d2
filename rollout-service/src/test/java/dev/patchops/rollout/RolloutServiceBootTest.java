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
}
