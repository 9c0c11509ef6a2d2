package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.DiagnosticKind;
import java.time.Instant;

/** Evidence was attached to a ticket. */
public record DiagnosticAdded(
    @Limit(length = Limit.ID) String ticketId,
    @Limit(length = Limit.ID) String diagnosticId,
    DiagnosticKind kind,
    @Limit(length = 2048) String uri,
    Instant capturedAt,
    @Nullable @Pattern(Pattern.SHA256_HEX) @Limit(length = 64) String sha256,
    @Nullable @Limit(length = 4000) String note,
    @Limit(length = Limit.ACTOR) String addedBy)
    implements TicketScoped {}
