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

  /**
   * The hooks take no JWT: AlertHookFuzzTest fuzzes them with their signatures. The bench resource
   * is the benchmark's baseline in src/test, not part of the service.
   */
  @Override
  protected java.util.Set<String> fuzzExcludedPaths() {
    return java.util.Set.of(
        "/hooks/alertmanager", "/hooks/grafana", "/hooks/pagerduty", "/bench/bare-tickets");
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
