package dev.patchops.contract.events;

import dev.patchops.contract.TicketScoped;
import dev.patchops.contract.model.SecretDecision;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The mirror namespace exists and its workloads are ready. */
public record TestEnvironmentReady(
    String ticketId,
    int revision,
    String runId,
    int attempt,
    String namespace,
    String sourceNamespace,
    Map<String, Integer> copiedObjects,
    List<SecretDecision> secretDecisions,
    Instant readyAt)
    implements TicketScoped {}
