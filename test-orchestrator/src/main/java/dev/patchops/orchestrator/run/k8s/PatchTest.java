package dev.patchops.orchestrator.run.k8s;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * One test run as platform engineers see it with {@code kubectl get patchtests -A}. The run's
 * database row stays the truth; this object is written from it after every step, so it can lag but
 * never lead.
 */
@Group(PatchTest.GROUP)
@Version(PatchTest.VERSION)
@Kind("PatchTest")
@Plural("patchtests")
@Singular("patchtest")
@ShortNames("ptest")
@AdditionalPrinterColumn(
    name = "Ticket",
    jsonPath = ".spec.ticketId",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Revision",
    jsonPath = ".spec.revision",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Attempt",
    jsonPath = ".spec.attempt",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Passed/Failed",
    jsonPath = ".status.results",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Node",
    jsonPath = ".spec.burnInNode",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Environment",
    jsonPath = ".spec.environmentNamespace",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class PatchTest extends CustomResource<PatchTestSpec, PatchTestStatus>
    implements Namespaced {
  public static final String GROUP = "patchops.dev";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "patchtests." + GROUP;
}
