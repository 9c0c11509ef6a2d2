package dev.patchops.orchestrator.mirror;

import dev.patchops.contract.model.SecretDecision;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.List;

/**
 * The objects of a mirror, in two tiers: what others refer to (service accounts, config, secrets,
 * claims, roles) is created before what refers to it, and each tier is created in parallel.
 */
public record MirrorPlan(
    List<HasMetadata> foundations,
    List<HasMetadata> dependents,
    List<Skipped> skipped,
    List<SecretDecision> secretDecisions,
    List<String> imageSwaps) {

  public record Skipped(String kind, String name, String reason) {}

  /** Every copy, foundations first. */
  public List<HasMetadata> copies() {
    List<HasMetadata> all = new java.util.ArrayList<>(foundations);
    all.addAll(dependents);
    return all;
  }

  public int objectCount() {
    return foundations.size() + dependents.size();
  }
}
