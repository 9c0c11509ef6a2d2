package dev.patchops.orchestrator;

import dev.patchops.testing.kube.KubeletFaults;

/**
 * The simulated kubelet of the shared control plane, as one test sees it: what the test injects
 * (failing Jobs, crashing Pods) is lifted when it closes the handle.
 */
public final class Sandbox {
  private Sandbox() {}

  public static KubeletFaults kubelet() {
    return KubeletFaults.open();
  }
}
