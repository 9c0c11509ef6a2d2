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
}
