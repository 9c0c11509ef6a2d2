package dev.patchops.audit;

import dev.patchops.testing.ServiceBootChecks;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithAuditInfra
class AuditServiceBootTest extends ServiceBootChecks {
  @Override
  protected String serviceName() {
    return "audit-service";
  }

  /**
   * The trail keeps what it cannot read, raw and flagged (RecordParser; AuditIngestTest), rather
   * than parking it: only that poison does not stall it is checked here.
   */
  @Override
  protected boolean parksPoison() {
    return false;
  }
}
