package dev.patchops.platform.messaging;

import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;

/**
 * Tells a record Kafka will never take, whatever the retries (too large, or invalid for the topic),
 * from a failure of the broker or the network, which a retry cures. Only the first kind may be set
 * aside: setting aside an event because the broker was down would lose it.
 */
final class RecordFaults {
  private RecordFaults() {}

  /** Why Kafka refuses the record for itself, or null if the failure is not the record's. */
  static String reason(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof RecordTooLargeException
          || t instanceof RecordBatchTooLargeException
          || t instanceof InvalidRecordException) {
        String message = t.getMessage() == null ? "" : ": " + t.getMessage();
        String reason = t.getClass().getSimpleName() + message;
        return reason.length() > 500 ? reason.substring(0, 500) + "…" : reason;
      }
    }
    return null;
  }
}
