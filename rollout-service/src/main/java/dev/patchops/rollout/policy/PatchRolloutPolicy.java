package dev.patchops.rollout.policy;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * How the Deployments it selects in its namespace are rolled out, whoever starts the rollout
 * (approval, REST or a PatchRollout): steps, analysis, traffic mode, watch window and which alert
 * severities revert. The rule that picks one policy per workload is {@link PolicyMatcher}'s.
 */
@Group("patchops.dev")
@Version("v1alpha1")
@Kind("PatchRolloutPolicy")
@Plural("patchrolloutpolicies")
@ShortNames({"prp", "patchrolloutpolicy"})
@AdditionalPrinterColumn(name = "Traffic", jsonPath = ".spec.traffic.mode")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class PatchRolloutPolicy
    extends CustomResource<PatchRolloutPolicySpec, PatchRolloutPolicyStatus> implements Namespaced {

  @Override
  protected PatchRolloutPolicySpec initSpec() {
    return new PatchRolloutPolicySpec();
  }

  @Override
  protected PatchRolloutPolicyStatus initStatus() {
    return new PatchRolloutPolicyStatus();
  }
}
