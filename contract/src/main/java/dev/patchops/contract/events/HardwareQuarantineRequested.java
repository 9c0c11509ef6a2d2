package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import java.time.Instant;

/** Take equipment out of service, locked to one assignee, until a burn-in test passes. */
public record HardwareQuarantineRequested(
    String ticketId, EquipmentRef equipment, String assignee, Instant requestedAt)
    implements TicketScoped {}
