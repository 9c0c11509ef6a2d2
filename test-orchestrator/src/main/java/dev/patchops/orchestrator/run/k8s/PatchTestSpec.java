package dev.patchops.orchestrator.run.k8s;

import io.fabric8.generator.annotation.Required;
import java.util.List;

/** What was asked for; written once when the run starts and never changed. */
public class PatchTestSpec {
  @Required public String runId;
  @Required public String ticketId;
  @Required public int revision;
  @Required public int attempt;

  /** The namespace the suites run in: a mirror, or a burn-in namespace. */
  @Required public String environmentNamespace;

  /** The production namespace mirrored; absent for a burn-in. */
  public String sourceNamespace;

  /** The patched image under test; absent for a burn-in. */
  public String image;

  /** The quarantined node a burn-in runs on; absent for a mirror test. */
  public String burnInNode;

  public List<String> suites;
}
