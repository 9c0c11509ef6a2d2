package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.TestSuiteSpec;
import java.time.Instant;
import java.util.List;

/**
 * Test a hardware fix on the quarantined node itself: the suites run as Jobs pinned to {@code
 * nodeName} that tolerate {@link dev.patchops.contract.model.Quarantine#TAINT_KEY}. Reported like
 * any test run, by {@link TestRunCompleted} with the same {@code runId}.
 */
public record BurnInRequested(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ID) String runId,
    int attempt,
    @Limit(length = Limit.ID) String equipmentId,
    @Limit(length = Limit.K8S_NAME) String nodeName,
    @Limit(length = 20_100) String fixDescription,
    @Limit(items = 20) List<TestSuiteSpec> testSuites,
    @Limit(length = Limit.ACTOR) String requestedBy,
    Instant requestedAt)
    implements TicketScoped {}
