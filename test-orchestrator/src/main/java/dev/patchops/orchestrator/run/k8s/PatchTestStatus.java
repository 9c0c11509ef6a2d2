package dev.patchops.orchestrator.run.k8s;

import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

public class PatchTestStatus {
  /** Requested, Mirroring, Preparing, WaitingForReadiness, Testing, Passed, Failed, Error. */
  public String phase;

  /** {@code passed/failed}, counting test cases where a suite reports them and suites otherwise. */
  public String results;

  public Integer passed;
  public Integer failed;

  /** Why the run failed or errored, in one line; the analytics over REST say the rest. */
  public String message;

  /** EnvironmentReady, Completed, EnvironmentDeleted, with Kubernetes' condition semantics. */
  public List<Condition> conditions = new ArrayList<>();

  public Long observedGeneration;
}
