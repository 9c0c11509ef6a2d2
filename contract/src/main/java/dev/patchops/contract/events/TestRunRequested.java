package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestSuiteSpec;
import java.time.Instant;
import java.util.List;

/** Test this revision in a mirror of production. {@code runId} makes redelivery harmless. */
public record TestRunRequested(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ID) String runId,
    int attempt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    @Limit(items = 20) List<ContainerTarget> targets,
    @Limit(items = 20) List<TestSuiteSpec> testSuites,
    @Limit(length = Limit.ACTOR) String requestedBy,
    Instant requestedAt)
    implements TicketScoped {}
