package dev.patchops.rollout.canary.k8s;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A rollout as platform engineers see it with kubectl. Applying one starts a rollout; rollouts
 * started from events or REST get one too, so {@code kubectl get patchrollouts -A} shows them all.
 * {@code spec.paused}, {@code spec.abort} and {@code spec.promote} are the manual controls.
 */
@Group("patchops.dev")
@Version("v1alpha1")
@Kind("PatchRollout")
@Plural("patchrollouts")
@ShortNames({"prl", "patchrollout"})
@AdditionalPrinterColumn(name = "Ticket", jsonPath = ".spec.ticketId")
@AdditionalPrinterColumn(name = "Target", jsonPath = ".status.target")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(name = "Step", jsonPath = ".status.step")
@AdditionalPrinterColumn(
    name = "Weight",
    jsonPath = ".status.weight",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(name = "Checkpoint", jsonPath = ".status.checkpoint")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class PatchRollout extends CustomResource<PatchRolloutSpec, PatchRolloutStatus>
    implements Namespaced {

  @Override
  protected PatchRolloutSpec initSpec() {
    return new PatchRolloutSpec();
  }

  @Override
  protected PatchRolloutStatus initStatus() {
    return new PatchRolloutStatus();
  }
}
