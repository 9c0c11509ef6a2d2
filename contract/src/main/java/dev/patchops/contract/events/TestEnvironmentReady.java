package dev.patchops.contract.events;

import dev.patchops.contract.Limit;
import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.SecretDecision;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The mirror namespace exists and its workloads are ready. */
public record TestEnvironmentReady(
    @Limit(length = Limit.ID) String ticketId,
    int revision,
    @Limit(length = Limit.ID) String runId,
    int attempt,
    @Limit(length = Limit.K8S_NAME) String namespace,
    @Limit(length = Limit.K8S_NAME) String sourceNamespace,
    @Limit(items = 64, length = Limit.WORD) Map<String, Integer> copiedObjects,
    @Limit(items = 100) List<SecretDecision> secretDecisions,
    Instant readyAt)
    implements TicketScoped {}
