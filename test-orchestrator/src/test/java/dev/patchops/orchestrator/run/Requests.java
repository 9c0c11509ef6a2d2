package dev.patchops.orchestrator.run;

import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.WorkloadRef;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The run request most tests need: checkout patched in {@code source}, one smoke suite. */
final class Requests {
  private Requests() {}

  static TestRunRequested checkout(String ticket, String source, char digest) {
    return new TestRunRequested(
        ticket,
        1,
        UUID.randomUUID().toString(),
        1,
        "registry.example/checkout@sha256:" + String.valueOf(digest).repeat(64),
        List.of(new ContainerTarget(new WorkloadRef(source, "Deployment", "checkout"), "app")),
        List.of(new TestSuiteSpec("smoke", "registry.example/smoke:1", List.of("/run"), 60)),
        "alice",
        Instant.now());
  }
}
