package dev.patchops.orchestrator.mirror;

import dev.patchops.contract.model.ContainerTarget;
import java.util.List;
import java.util.Map;

/**
 * What to mirror where.
 *
 * @param labels put on every object of the mirror (ticket, revision, run, source, expiry)
 * @param replicas the replica count of every workload in the mirror, or null to keep production's
 * @param copySecretValues copy every Secret's values, not only those annotated for it
 * @param ingressDomain the DNS suffix mirrored Ingress hosts are moved under
 */
public record MirrorRequest(
    String sourceNamespace,
    String targetNamespace,
    String image,
    List<ContainerTarget> targets,
    Map<String, String> labels,
    Integer replicas,
    boolean copySecretValues,
    String ingressDomain) {}
