package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

public record AlertResolved(
    @Nullable @Limit(length = Limit.ID) String ticketId,
    @Limit(length = 255) String fingerprint,
    @Limit(length = 255) String source,
    @Limit(length = 512) String alertName,
    @Nullable WorkloadRef workload,
    Instant endsAt)
    implements PatchOpsEvent {

  @Override
  public String partitionKey() {
    return ticketId != null ? ticketId : fingerprint;
  }
}
