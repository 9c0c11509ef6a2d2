package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.VcsRef;
import java.time.Instant;
import java.util.List;

/** A new revision of a ticket's patch was proposed. */
public record PatchProposed(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    VcsRef vcs,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    @Limit(items = 20) List<ContainerTarget> targets,
    @Limit(length = 10_000) String changeWhat,
    @Limit(length = 10_000) String changeWhy,
    @Limit(length = Limit.ACTOR) String author,
    @Limit(items = 20) List<TestSuiteSpec> testSuites,
    @Limit(items = 10) List<CanaryStep> canarySteps,
    Instant proposedAt)
    implements TicketScoped {}
