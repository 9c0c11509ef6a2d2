package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import java.time.Instant;
import java.util.List;

/**
 * A tested revision was approved by someone other than its author. Carries what the rollout needs,
 * so the rollout-service never has to ask the ticket-service.
 */
public record PatchApproved(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ACTOR) String approver,
    @Limit(length = Limit.ACTOR) String author,
    boolean emergency,
    @Nullable @Limit(length = Limit.TEXT) String emergencyReason,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    @Limit(items = 20) List<ContainerTarget> targets,
    @Limit(items = 10) List<CanaryStep> canarySteps,
    Instant approvedAt)
    implements TicketScoped {}
