package dev.patchops.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.rollout.gate.GateRecords;
import io.quarkus.arc.Arc;
import io.quarkus.narayana.jta.QuarkusTransaction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The approval a REST or kubectl start now needs, recorded the way the rollout-service records a
 * {@code ticket.patch-approved} event (the same {@link GateRecords} call), but without the start
 * that the event itself triggers: the test then starts the rollout by the path it is about.
 */
public final class Approvals {
  public static final String APPROVER = "ann-approver";
  public static final String AUTHOR = "dev-dana";

  private Approvals() {}

  /** Approves {@code image} in revision {@code revision} of the ticket for the containers given. */
  public static PatchApproved approve(
      String ticketId,
      int revision,
      String image,
      String namespace,
      String deployment,
      String... containers) {
    List<ContainerTarget> targets = new ArrayList<>();
    for (String container : containers) {
      targets.add(
          new ContainerTarget(new WorkloadRef(namespace, "Deployment", deployment), container));
    }
    PatchApproved approved =
        new PatchApproved(
            ticketId,
            revision,
            APPROVER,
            AUTHOR,
            false,
            null,
            image,
            targets,
            List.<CanaryStep>of(),
            Instant.now());
    GateRecords records = Arc.container().instance(GateRecords.class).get();
    QuarkusTransaction.requiringNew()
        .run(() -> records.approved(approved, "test-" + UUID.randomUUID()));
    return approved;
  }

  /** Approves exactly what a REST body of {@code POST /api/v1/rollouts} asks to roll out. */
  public static PatchApproved approveRequest(String restBody) {
    try {
      JsonNode body = ContractJson.mapper().readTree(restBody);
      List<String> containers = new ArrayList<>();
      body.path("containers").forEach(c -> containers.add(c.asText()));
      return approve(
          body.path("ticketId").asText(),
          body.path("revision").asInt(),
          body.path("image").asText(),
          body.path("namespace").asText(),
          body.path("deployment").asText(),
          containers.toArray(String[]::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
