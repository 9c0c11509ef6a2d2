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

  /** Alert sources cannot send a JWT: each hook checks its own token or HMAC signature first. */
  @Override
  protected java.util.Set<String> publicOperations() {
    return java.util.Set.of(
        "POST /hooks/alertmanager", "POST /hooks/grafana", "POST /hooks/pagerduty");
  }
}
