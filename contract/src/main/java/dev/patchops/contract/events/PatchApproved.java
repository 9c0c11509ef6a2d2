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
    String ticketId,
    int revision,
    String approver,
    String author,
    boolean emergency,
    @Nullable String emergencyReason,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    @Limit(items = 20) List<ContainerTarget> targets,
    @Limit(items = 10) List<CanaryStep> canarySteps,
    Instant approvedAt)
    implements TicketScoped {}
