package dev.patchops.audit.verify;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Re-walks the whole chain on a schedule and reports the result as metrics, so a broken trail
 * raises an alert instead of waiting for an auditor's request.
 */
@ApplicationScoped
public class ChainSelfCheck {
  private static final Logger LOG = Logger.getLogger(ChainSelfCheck.class);

  private final ChainVerifier verifier;

  /** 1 valid, 0 broken, -1 not checked yet or the last check could not run. */
  private final AtomicLong valid = new AtomicLong(-1);

  private final AtomicLong firstBroken = new AtomicLong(0);
  private final AtomicLong verifiedThrough = new AtomicLong(0);

  @Inject
  public ChainSelfCheck(ChainVerifier verifier, MeterRegistry registry) {
    this.verifier = verifier;
    Gauge.builder("patchops.audit.chain.valid", valid, AtomicLong::get)
        .description("1 when the last self-check verified the whole chain, 0 when it broke")
        .register(registry);
    Gauge.builder("patchops.audit.chain.first.broken.seq", firstBroken, AtomicLong::get)
        .description("first broken sequence number found by the last self-check, 0 if none")
        .register(registry);
    Gauge.builder("patchops.audit.chain.verified.seq", verifiedThrough, AtomicLong::get)
        .description("head sequence number covered by the last self-check")
        .register(registry);
  }

  @Scheduled(
      identity = "audit-self-check",
      every = "${audit.verify.interval}",
      delayed = "30s",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void scheduled() {
    run();
  }

  public VerificationReport run() {
    VerificationReport report;
    try {
      report = verifier.verifyWaiting(1, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      valid.set(-1);
      throw new IllegalStateException("audit chain self-check interrupted", e);
    } catch (RuntimeException e) {
      // Unknown is not valid: a stale 1 would hide that the check cannot run.
      valid.set(-1);
      LOG.errorf(e, "audit chain self-check could not run");
      throw e;
    }
    valid.set(report.valid() ? 1 : 0);
    firstBroken.set(report.firstBroken() == null ? 0 : report.firstBroken().seq());
    verifiedThrough.set(report.headSeq() == null ? 0 : report.headSeq());
    if (!report.valid()) {
      LOG.errorf("audit chain self-check failed: %s", report.firstBroken());
    }
    return report;
  }
}
