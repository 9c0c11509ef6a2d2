package dev.patchops.audit;

import dev.patchops.devstack.AuditSigningKey;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * A fresh signing key with its kid, and a retired key that signed before a rotation: both are in
 * the published key set, so checkpoints of either verify. The retired private key is handed to
 * tests (they sign "old" checkpoints with it) through a system property.
 */
public class AuditSigningKeyResource implements QuarkusTestResourceLifecycleManager {
  public static final String KEY_ID = "audit-2026";
  public static final String RETIRED_KEY_ID = "audit-2025";
  public static final String RETIRED_PRIVATE_KEY_PROPERTY =
      "devstack.test.audit-retired-private-key";

  @Override
  public Map<String, String> start() {
    AuditSigningKey key = AuditSigningKey.generate();
    AuditSigningKey retired = AuditSigningKey.generate();
    System.setProperty(RETIRED_PRIVATE_KEY_PROPERTY, retired.privateKeyPem());
    String retiredEntry = RETIRED_KEY_ID + "=" + body(retired.publicKeyPem());
    return Map.of(
        "audit.signing.private-key",
        key.privateKeyPem(),
        "audit.signing.public-key",
        key.publicKeyPem(),
        "audit.signing.key-id",
        KEY_ID,
        "audit.signing.published-keys",
        retiredEntry,
        // The witness's own copy of the same published set.
        "audit.witness.published-keys",
        KEY_ID + "=" + body(key.publicKeyPem()) + "," + retiredEntry);
  }

  private static String body(String pem) {
    return pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
  }

  @Override
  public void stop() {}
}
