package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.Map;

/**
 * A firing alert from an SRE hook. An alert not yet tied to a ticket is keyed by fingerprint.
 *
 * @param refusal why the alert opened or moved no ticket although it named a workload or node: a
 *     label that cannot be a Kubernetes name. Null for an alert taken as it came.
 */
public record AlertReceived(
    @Nullable @Limit(length = Limit.ID) String ticketId,
    @Limit(length = 255) String fingerprint,
    @Limit(length = 255) String source,
    @Limit(length = 512) String alertName,
    @Nullable Severity severity,
    @Limit(items = 64, length = 512) Map<String, String> labels,
    @Limit(items = 32, length = 1024) Map<String, String> annotations,
    @Nullable WorkloadRef workload,
    Instant startsAt,
    @Nullable @Limit(length = Limit.TEXT) String refusal)
    implements PatchOpsEvent {

  /** An alert taken as it came. */
  public AlertReceived(
      String ticketId,
      String fingerprint,
      String source,
      String alertName,
      Severity severity,
      Map<String, String> labels,
      Map<String, String> annotations,
      WorkloadRef workload,
      Instant startsAt) {
    this(
        ticketId,
        fingerprint,
        source,
        alertName,
        severity,
        labels,
        annotations,
        workload,
        startsAt,
        null);
  }

  @Override
  public String partitionKey() {
    return ticketId != null ? ticketId : fingerprint;
  }
}
