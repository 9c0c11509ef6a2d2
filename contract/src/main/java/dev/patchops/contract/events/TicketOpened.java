package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;

/** A trouble ticket was opened. Software tickets name a workload, hardware tickets equipment. */
public record TicketOpened(
    @Limit(length = Limit.ID) String ticketId,
    TicketKind kind,
    @Limit(length = 200) String title,
    @Nullable @Limit(length = 10_000) String description,
    Severity severity,
    @Limit(length = Limit.ACTOR) String reporter,
    TicketSource source,
    @Nullable WorkloadRef workload,
    @Nullable EquipmentRef equipment,
    @Nullable @Limit(length = 255) String alertFingerprint,
    Instant openedAt,
    @Nullable Instant detectedAt)
    implements TicketScoped {}
