package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.HardwareReleaseMode;
import java.time.Instant;

/**
 * The node is back in service. {@code mode} says whether an approved burn-in or a manual plan-B
 * release put it there ({@code reason} is the engineer's reason for a manual one); producers that
 * predate the field leave it null, and then {@code burnInPassed} alone tells the two apart.
 */
public record HardwareQuarantineReleased(
    @Limit(length = Limit.ID) String ticketId,
    EquipmentRef equipment,
    @Limit(length = Limit.ACTOR) String releasedBy,
    boolean burnInPassed,
    Instant releasedAt,
    @Nullable HardwareReleaseMode mode,
    @Nullable @Limit(length = Limit.TEXT) String reason)
    implements TicketScoped {

  /** The release as producers wrote it before {@code mode} existed. */
  public HardwareQuarantineReleased(
      String ticketId,
      EquipmentRef equipment,
      String releasedBy,
      boolean burnInPassed,
      Instant releasedAt) {
    this(
        ticketId,
        equipment,
        releasedBy,
        burnInPassed,
        releasedAt,
        burnInPassed ? HardwareReleaseMode.BURN_IN : null,
        null);
  }

  /** Manual when it says so, or, from an older producer, when no burn-in passed. */
  public boolean manual() {
    return mode == HardwareReleaseMode.MANUAL || (mode == null && !burnInPassed);
  }
}
