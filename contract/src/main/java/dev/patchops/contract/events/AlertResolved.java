package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

public record AlertResolved(
    @Nullable String ticketId,
    String fingerprint,
    String source,
    String alertName,
    @Nullable WorkloadRef workload,
    Instant endsAt)
    implements PatchOpsEvent {

  @Override
  public String partitionKey() {
    return ticketId != null ? ticketId : fingerprint;
  }
}
