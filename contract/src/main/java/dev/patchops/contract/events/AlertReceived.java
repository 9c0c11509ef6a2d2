package dev.patchops.contract.events;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.Map;

/** A firing alert from an SRE hook. An alert not yet tied to a ticket is keyed by fingerprint. */
public record AlertReceived(
    @Nullable String ticketId,
    String fingerprint,
    String source,
    String alertName,
    @Nullable Severity severity,
    Map<String, String> labels,
    Map<String, String> annotations,
    @Nullable WorkloadRef workload,
    Instant startsAt)
    implements PatchOpsEvent {

  @Override
  public String partitionKey() {
    return ticketId != null ? ticketId : fingerprint;
  }
}
