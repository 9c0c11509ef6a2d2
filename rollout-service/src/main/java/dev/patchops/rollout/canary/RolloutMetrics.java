package dev.patchops.rollout.canary;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** What SREs alert on: revert latency, outcomes (aborts included) and rollouts in flight. */
@ApplicationScoped
public class RolloutMetrics {
  private final MeterRegistry registry;
  private final Timer revertLatency;
  private final AtomicInteger active = new AtomicInteger();

  @Inject
  public RolloutMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.revertLatency =
        Timer.builder("patchops.rollout.revert.latency")
            .description("From the failure detected to the checkpoint restored and verified")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry);
    registry.gauge("patchops.rollouts.active", active);
  }

  public void revertVerified(Duration latency) {
    revertLatency.record(latency);
  }

  /** promoted, reverted, aborted, refused, failed, revert_api_failure. */
  public void outcome(String outcome) {
    Counter.builder("patchops.rollout.outcomes")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  public void active(int count) {
    active.set(count);
  }
}
