package dev.patchops.orchestrator.run;

import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.k8s.NamespaceMirror;
import dev.patchops.orchestrator.run.k8s.PatchTests;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Deletes every mirror and burn-in namespace past its {@code patchops.dev/expires-at}, whether or
 * not a run remembers it: the cluster's labels are the truth, so a mirror left by a crash before
 * its run was even stored is found too. Leaked namespaces are the most common complaint about such
 * tools. PatchTests outlive their environment, as the record kubectl shows, until their retention.
 */
@ApplicationScoped
public class Reaper {
  private static final Logger LOG = Logger.getLogger(Reaper.class);

  @Inject KubernetesClient client;
  @Inject NamespaceMirror mirror;
  @Inject TestRunService runs;
  @Inject PatchTests patchTests;
  @Inject OrchestratorConfig config;

  @Scheduled(
      identity = "mirror-reaper",
      every = "${orchestrator.reaper.interval}",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    Instant now = Instant.now();
    reap(now);
    reapPatchTests(now);
  }

  /**
   * @return the namespaces deleted
   */
  public List<String> reap(Instant now) {
    List<String> reaped = new ArrayList<>();
    for (Namespace ns :
        client
            .namespaces()
            .withLabel(MirrorNames.MANAGED_BY, MirrorNames.MANAGED_BY_VALUE)
            .list()
            .getItems()) {
      String expires = ns.getMetadata().getLabels().get(MirrorNames.EXPIRES_AT);
      if (!expired(expires, now) || ns.getMetadata().getDeletionTimestamp() != null) {
        // A namespace already being deleted was reaped: its controller is emptying it.
        continue;
      }
      String name = ns.getMetadata().getName();
      try {
        mirror.teardown(name);
        String runId = ns.getMetadata().getLabels().get(MirrorNames.RUN);
        TestRun run = runId == null ? null : runs.get(runId);
        if (run != null) {
          runs.cleaned(run.runId, "expired");
          patchTests.environmentDeleted(run, true, "Expired", "deleted by the reaper at expiry");
        }
        reaped.add(name);
      } catch (RuntimeException e) {
        LOG.warnf("could not reap expired mirror %s: %s", name, e.getMessage());
      }
    }
    return reaped;
  }

  /**
   * @return the PatchTests deleted: those created longer ago than their retention
   */
  public List<String> reapPatchTests(Instant now) {
    try {
      return patchTests.deleteCreatedBefore(now.minus(config.patchTests().retention()));
    } catch (RuntimeException e) {
      LOG.warnf("could not reap old PatchTests: %s", e.getMessage());
      return List.of();
    }
  }

  private static boolean expired(String epochSeconds, Instant now) {
    if (epochSeconds == null) {
      return false;
    }
    try {
      return Instant.ofEpochSecond(Long.parseLong(epochSeconds)).isBefore(now);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
