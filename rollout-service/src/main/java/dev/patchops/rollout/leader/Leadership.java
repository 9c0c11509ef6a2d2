package dev.patchops.rollout.leader;

import dev.patchops.rollout.config.RolloutConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Only one replica acts on the cluster: the holder of a Kubernetes Lease. The others keep consuming
 * events into the database, so a failover picks up exactly where the leader stopped.
 */
@ApplicationScoped
public class Leadership {
  private static final Logger LOG = Logger.getLogger(Leadership.class);

  @Inject KubernetesClient client;
  @Inject RolloutConfig config;

  private final String identity = "rollout-service-" + UUID.randomUUID();
  private volatile boolean leader;
  private volatile boolean stopping;
  private CompletableFuture<?> election;

  void start(@Observes StartupEvent ignored) {
    if (!config.leader().enabled()) {
      leader = true;
      return;
    }
    elect();
  }

  /**
   * A fabric8 elector runs once: after a lost renewal (the API server unreachable for longer than
   * the renew deadline) it is done. So a new one is started, for as long as the service runs;
   * otherwise every replica would stop leading for good after one control-plane hiccup.
   */
  private synchronized void elect() {
    if (stopping) {
      return;
    }
    String namespace = config.leader().namespace().orElse(client.getNamespace());
    LeaderElector elector =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName(config.leader().leaseName())
                    .withLock(new LeaseLock(namespace, config.leader().leaseName(), identity))
                    .withLeaseDuration(config.leader().leaseDuration())
                    .withRenewDeadline(config.leader().renewDeadline())
                    .withRetryPeriod(config.leader().retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(
                            () -> {
                              LOG.infof("%s leads the rollouts", identity);
                              leader = true;
                            },
                            () -> {
                              LOG.infof("%s stopped leading", identity);
                              leader = false;
                            },
                            newLeader -> {}))
                    .build())
            .build();
    election = elector.start();
    election.whenComplete(
        (result, error) -> {
          leader = false;
          if (!stopping) {
            LOG.warnf("%s: leader election ended (%s); standing again", identity, error);
            CompletableFuture.delayedExecutor(
                    config.leader().retryPeriod().toMillis(), TimeUnit.MILLISECONDS)
                .execute(this::elect);
          }
        });
  }

  void stop(@Observes ShutdownEvent ignored) {
    synchronized (this) {
      stopping = true;
    }
    leader = false;
    if (election != null) {
      election.cancel(true);
    }
  }

  public boolean isLeader() {
    return leader;
  }

  public String identity() {
    return identity;
  }
}
