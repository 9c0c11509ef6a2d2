package dev.patchops.audit.checkpoint;

import dev.patchops.platform.rest.ApiException;
import java.util.List;

/** The chain contradicts its own last checkpoint, so no new checkpoint may be signed. */
public class ChainBrokenException extends ApiException {
  public ChainBrokenException(String detail) {
    super(409, "audit-chain-broken", "Audit chain broken", detail, List.of());
  }
}
