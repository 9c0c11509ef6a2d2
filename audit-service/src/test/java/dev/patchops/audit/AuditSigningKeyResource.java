package dev.patchops.audit;

import dev.patchops.devstack.AuditSigningKey;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

public class AuditSigningKeyResource implements QuarkusTestResourceLifecycleManager {
  @Override
  public Map<String, String> start() {
    AuditSigningKey key = AuditSigningKey.generate();
    return Map.of(
        "audit.signing.private-key", key.privateKeyPem(),
        "audit.signing.public-key", key.publicKeyPem());
  }

  @Override
  public void stop() {}
}
