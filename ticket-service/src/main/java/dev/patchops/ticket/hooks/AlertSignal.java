package dev.patchops.ticket.hooks;

import java.time.Instant;
import java.util.Map;

/**
 * One alert as every hook format reduces to it.
 *
 * @param startsAt null where the source has no occurrence time (PagerDuty): the open occurrence of
 *     the fingerprint is the one acted on
 */
public record AlertSignal(
    String fingerprint,
    Status status,
    Instant startsAt,
    Instant endsAt,
    String alertName,
    String summary,
    String severity,
    Map<String, String> labels,
    Map<String, String> annotations) {

  public enum Status {
    FIRING,
    ACKNOWLEDGED,
    RESOLVED
  }
}
