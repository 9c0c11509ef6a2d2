package dev.patchops.rollout.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

@ConfigMapping(prefix = "rollout")
public interface RolloutConfig {

  /** Steps of a revision that names none: weight in percent and the pause after it. */
  @WithDefault("10:30s,25:30s,50:30s,100:0s")
  List<String> defaultSteps();

  /** How long canary Pods may take to become ready before the step fails. */
  @WithDefault("30s")
  Duration progressDeadline();

  /** Container restarts of the canary above which a step fails. */
  @WithDefault("1")
  int maxRestarts();

  /** How long the checkpoint stays armed after full promotion. */
  @WithDefault("15m")
  Duration watchWindow();

  /**
   * The alert severities that revert a rollout whose policy names none (or that has no policy).
   * SEV3 and SEV4 alerts are recorded ({@code rollout.alert-ignored}) but do not revert.
   */
  @WithDefault("SEV1,SEV2")
  List<dev.patchops.contract.model.Severity> revertSeverities();

  /** How often each active rollout is reconciled when nothing wakes the engine sooner. */
  @WithDefault("250ms")
  Duration tick();

  /** Prometheus queries are evaluated at most this often during a step. */
  @WithDefault("5s")
  Duration analysisInterval();

  /**
   * The Prometheus addresses a rollout's {@code analysis.prometheusUrl} may name: it must equal one
   * of them in scheme, host, port and path, and carry no user info (PrometheusAddress). The service
   * calls that address from inside the cluster, so it is not left to whoever starts a rollout.
   */
  @WithDefault("http://prometheus-operated.monitoring.svc:9090")
  List<String> prometheusUrls();

  /** A Prometheus answer larger than this many bytes is an error, not read to the end. */
  @WithDefault("4194304")
  long prometheusMaxResponseBytes();

  /** Prometheus errors in a row before a step fails; a single blip must not revert a patch. */
  @WithDefault("3")
  int prometheusErrorLimit();

  /** Backoff between attempts of a revert the API refuses. */
  @WithDefault("200ms")
  Duration revertBackoffMin();

  @WithDefault("10s")
  Duration revertBackoffMax();

  /**
   * The namespaces rollouts may target: names, or prefixes ending in {@code *}. The service reads
   * and restores Secrets and ConfigMaps only there, through a RoleBinding per namespace
   * (docs/deploy.md), so a start anywhere else is refused before it touches the cluster. Unset,
   * nothing may be rolled out. PatchOps' own namespace and {@code kube-*} are refused whatever this
   * says.
   */
  Optional<List<String>> targetNamespaces();

  /** Key that seals checkpointed Secret data at rest: base64 of 32 random bytes. */
  String checkpointKey();

  Leader leader();

  Notify notifications();

  /** Honest weights: how far a step's canary share may be from its weight, and what it may cost. */
  CanaryScaling canaryScale();

  interface CanaryScaling {
    /**
     * Stable replicas that may be added while a step runs (removed at promotion, restored by a
     * revert), where no canary size beside the stable's own replicas comes within the tolerance.
     * Not used for a Deployment an autoscaler scales.
     */
    @WithDefault("3")
    int maxExtraStableReplicas();

    /**
     * Percentage points a step's actual canary share may differ from its weight. A plan with a step
     * further off than this is refused at its start, before anything changes.
     */
    @WithDefault("5")
    double weightTolerance();
  }

  interface Leader {
    /** Off only where a single replica is guaranteed (tests of one instance). */
    @WithDefault("true")
    boolean enabled();

    /** Namespace of the Lease; defaults to the client's namespace. */
    Optional<String> namespace();

    @WithDefault("patchops-rollout-service")
    String leaseName();

    @WithDefault("15s")
    Duration leaseDuration();

    @WithDefault("10s")
    Duration renewDeadline();

    @WithDefault("2s")
    Duration retryPeriod();
  }

  interface Notify {
    /** Webhook for reverts, failed reverts and promotions; none when empty. */
    Optional<String> url();

    /** {@code json} (the generic body) or {@code slack} (an incoming-webhook body). */
    @WithDefault("json")
    String format();

    @WithDefault("10")
    int maxAttempts();

    /**
     * Where people open the ticket API: a failed test run's notice links the revision under {@code
     * <url>/api/v1/tickets/<ticket>/revisions/<revision>}.
     */
    @WithDefault("http://ticket-service:8080")
    String ticketApiUrl();
  }
}
