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
    String ticketId,
    int revision,
    String runId,
    int attempt,
    @Pattern(Pattern.IMAGE_BY_DIGEST) String image,
    @Limit(items = 20) List<ContainerTarget> targets,
    @Limit(items = 20) List<TestSuiteSpec> testSuites,
    String requestedBy,
    String author,
    Instant requestedAt)
    implements TicketScoped {}
