package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestSuiteSpec;
import java.time.Instant;
import java.util.List;

/**
 * A person asked the test-orchestrator directly to test a revision again. Only the revision's
 * {@code author} or an approver may, and only with the revision's own image, targets and suites.
 */
public record TestRerunRequested(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ID) String runId,
    int attempt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) @Limit(length = Limit.IMAGE) String image,
    @Limit(items = 20) List<ContainerTarget> targets,
    @Limit(items = 20) List<TestSuiteSpec> testSuites,
    @Limit(length = Limit.ACTOR) String requestedBy,
    @Limit(length = Limit.ACTOR) String author,
    Instant requestedAt)
    implements TicketScoped {}
