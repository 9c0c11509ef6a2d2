package dev.patchops.orchestrator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "orchestrator")
public interface OrchestratorConfig {

  Mirror mirror();

  Run run();

  Reaper reaper();

  PatchTests patchTests();

  interface PatchTests {
    /**
     * Where the PatchTest objects live: the orchestrator's own namespace, not the mirrors, so one
     * {@code kubectl get patchtests -n patchops} lists every run and deleting a mirror keeps its
     * record.
     */
    @WithDefault("patchops")
    String namespace();

    /** How long a run's PatchTest stays listed after it was created; the run's row stays. */
    @WithDefault("30d")
    Duration retention();
  }

  interface Reaper {
    /** How often expired mirrors are looked for; read by the scheduler. */
    @WithDefault("5m")
    Duration interval();
  }

  interface BurnIn {
    /** How long a burn-in namespace may live before the reaper deletes it. */
    @WithDefault("2h")
    Duration ttl();
  }

  BurnIn burnIn();

  interface Run {
    /** How long the mirrored workloads may take to become ready. */
    @WithDefault("120s")
    Duration readinessTimeout();

    /** A suite's activeDeadlineSeconds when it sets no timeout of its own. */
    @WithDefault("600s")
    Duration suiteTimeout();

    /** Keep a failed run's mirror for debugging until it expires, instead of deleting it. */
    @WithDefault("false")
    boolean keepOnFailure();

    /**
     * How long a run stays with its executor without a renewal; the executor renews it every third
     * of this while it works, so a crashed executor's run is taken up by another within one lease.
     */
    @WithDefault("60s")
    Duration lease();

    @WithDefault("500ms")
    Duration pollInterval();
  }

  interface Mirror {
    /**
     * The production namespaces that may be mirrored: names, or prefixes ending in {@code *}
     * ({@code shop-*}). Unset allows none: a deployment names what its tests may copy. kube-system,
     * kube-public and kube-node-lease are never mirrored.
     */
    Optional<List<String>> sourceNamespaces();

    /**
     * Replicas of every mirrored workload, so the mirror fits its quota; empty keeps production's.
     */
    Optional<Integer> replicas();

    /** Copy every Secret's values, not only those annotated {@code patchops.dev/mirror=copy}. */
    @WithDefault("false")
    boolean copySecretValues();

    /**
     * DNS suffix that mirrored Ingress hosts move under, so a mirror never answers as production.
     */
    @WithDefault("mirror.patchops.invalid")
    String ingressDomain();

    /** How long a mirror may live before the reaper deletes it, whatever happened to its run. */
    @WithDefault("2h")
    Duration ttl();

    /** Parallel API calls while copying. */
    @WithDefault("8")
    int parallelism();

    /**
     * How long a run waits for its own namespace, deleted by an earlier attempt, to be gone before
     * it builds the mirror anew: the API refuses creates in a namespace being deleted.
     */
    @WithDefault("120s")
    Duration deletionTimeout();

    /** Attempts per API call on a transient failure (5xx, 429, I/O). */
    @WithDefault("3")
    int attempts();

    Quota quota();

    Limits limits();
  }

  interface Quota {
    @WithDefault("40")
    int pods();

    @WithDefault("8")
    String requestsCpu();

    @WithDefault("16Gi")
    String requestsMemory();

    @WithDefault("16")
    String limitsCpu();

    @WithDefault("32Gi")
    String limitsMemory();
  }

  interface Limits {
    @WithDefault("100m")
    String defaultRequestCpu();

    @WithDefault("128Mi")
    String defaultRequestMemory();

    @WithDefault("500m")
    String defaultLimitCpu();

    @WithDefault("512Mi")
    String defaultLimitMemory();
  }
}
