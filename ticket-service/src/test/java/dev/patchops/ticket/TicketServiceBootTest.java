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

  /** Tickets opened by an intake source; its own events it skips unread. */
  @Override
  protected java.util.Map<String, dev.patchops.testing.PoisonRecords.Target> poisonTargets() {
    return java.util.Map.of(
        dev.patchops.contract.Topics.TICKETS,
        new dev.patchops.testing.PoisonRecords.Target(
            dev.patchops.contract.EventType.TICKET_OPENED, "monitoring-bridge"));
  }
}
