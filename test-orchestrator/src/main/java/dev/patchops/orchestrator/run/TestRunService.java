package dev.patchops.orchestrator.run;

import dev.patchops.contract.events.TestEnvironmentDeleted;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The test runs' state, changed only together with the event that announces the change. */
@ApplicationScoped
public class TestRunService {
  static final String ACTOR = "test-orchestrator";

  @Inject Outbox outbox;
  @Inject OrchestratorConfig config;

  /** Registers a request once: a redelivery, or a repeated attempt number, returns the first. */
  @Transactional
  public TestRun request(TestRunRequested request) {
    TestRun existing = TestRun.findById(request.runId());
    if (existing != null) {
      return existing;
    }
    Optional<TestRun> sameAttempt =
        TestRun.find(
                "ticketId = ?1 and revision = ?2 and attempt = ?3",
                request.ticketId(),
                request.revision(),
                request.attempt())
            .firstResultOptional();
    if (sameAttempt.isPresent()) {
      return sameAttempt.get();
    }
    if (request.targets().isEmpty()) {
      throw ApiException.badRequest("targets", "must name at least one container to patch");
    }
    TestRun run = new TestRun();
    run.runId = request.runId();
    run.ticketId = request.ticketId();
    run.revision = request.revision();
    run.attempt = request.attempt();
    run.state = RunState.REQUESTED;
    run.sourceNamespace = request.targets().get(0).workload().namespace();
    run.namespace =
        MirrorNames.namespace(request.ticketId(), request.revision(), request.attempt());
    run.request = request;
    run.requestedAt = Instant.now();
    run.expiresAt = run.requestedAt.plus(config.mirror().ttl());
    run.persist();
    return run;
  }

  /** The next attempt number of a revision, for re-runs asked for over REST. */
  @Transactional
  public int nextAttempt(String ticketId, int revision) {
    Integer max =
        TestRun.getEntityManager()
            .createQuery(
                "select max(r.attempt) from TestRun r where r.ticketId = ?1 and r.revision = ?2",
                Integer.class)
            .setParameter(1, ticketId)
            .setParameter(2, revision)
            .getSingleResult();
    return max == null ? 1 : max + 1;
  }

  /** Takes a run to execute: a new one, or one whose executor's lease ran out (a crash). */
  @Transactional
  public Optional<TestRun> claim() {
    Instant now = Instant.now();
    Optional<TestRun> run =
        TestRun.find(
                "state = ?1 or (state = ?2 and leaseUntil < ?3) or (state = ?4 and leaseUntil < ?3)"
                    + " order by requestedAt",
                RunState.REQUESTED,
                RunState.RUNNING,
                now,
                RunState.COMPLETED)
            .withLock(LockModeType.PESSIMISTIC_WRITE)
            .withHint("jakarta.persistence.lock.timeout", -2)
            .firstResultOptional();
    run.ifPresent(
        r -> {
          if (r.state == RunState.REQUESTED) {
            r.state = RunState.RUNNING;
            r.startedAt = now;
          }
          r.leaseUntil = now.plus(config.run().lease());
        });
    return run;
  }

  @Transactional
  public TestRun get(String runId) {
    return TestRun.findById(runId);
  }

  @Transactional
  public void environmentReady(
      String runId, Map<String, Integer> copied, List<SecretDecision> secrets) {
    TestRun run = TestRun.findById(runId);
    if (run.readyPublished) {
      return;
    }
    run.readyPublished = true;
    outbox.publish(
        new TestEnvironmentReady(
            run.ticketId,
            run.revision,
            run.runId,
            run.attempt,
            run.namespace,
            run.sourceNamespace,
            copied,
            secrets,
            Instant.now()),
        run.ticketId,
        ACTOR);
  }

  /** Records the results and announces them; the mirror is deleted only after this commits. */
  @Transactional
  public void completed(String runId, TestOutcome outcome, TestAnalytics analytics) {
    TestRun run = TestRun.findById(runId);
    if (run.state != RunState.RUNNING) {
      return;
    }
    run.state = RunState.COMPLETED;
    run.outcome = outcome;
    run.analytics = analytics;
    run.completedAt = Instant.now();
    outbox.publish(
        new TestRunCompleted(
            run.ticketId,
            run.revision,
            run.runId,
            run.attempt,
            null,
            outcome,
            analytics,
            run.completedAt),
        run.ticketId,
        ACTOR);
  }

  @Transactional
  public void cleaned(String runId, String reason) {
    TestRun run = TestRun.findById(runId);
    if (run.deletedPublished) {
      return;
    }
    run.deletedPublished = true;
    run.state = RunState.CLEANED;
    run.leaseUntil = null;
    outbox.publish(
        new TestEnvironmentDeleted(
            run.ticketId,
            run.revision,
            run.runId,
            run.attempt,
            run.namespace,
            reason,
            Instant.now()),
        run.ticketId,
        ACTOR);
  }

  /** A failed run's mirror kept for debugging: the reaper deletes it at expiry. */
  @Transactional
  public void kept(String runId) {
    TestRun run = TestRun.findById(runId);
    run.leaseUntil = run.expiresAt;
  }

  /** Earlier attempts of the same revision (the same commit), oldest first. */
  @Transactional
  public List<TestRun> earlierAttempts(TestRun run) {
    return TestRun.list(
        "ticketId = ?1 and revision = ?2 and attempt < ?3 and analytics is not null order by attempt",
        run.ticketId,
        run.revision,
        run.attempt);
  }
}
