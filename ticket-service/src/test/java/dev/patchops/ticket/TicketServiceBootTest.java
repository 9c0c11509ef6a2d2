package dev.patchops.ticket;

import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.ServiceBootChecks;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@PatchOpsTest
class TicketServiceBootTest extends ServiceBootChecks {
  @Override
  protected String serviceName() {
    return "ticket-service";
  }
}
