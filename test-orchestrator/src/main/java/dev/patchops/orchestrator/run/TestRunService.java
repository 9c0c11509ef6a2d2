package dev.patchops.orchestrator.run;

import dev.patchops.contract.events.BurnInRequested;
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
import dev.patchops.platform.messaging.PoisonMessageException;
import dev.patchops.platform.rest.ApiException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** The test runs' state, changed only together with the event that announces the change. */
@ApplicationScoped
public class TestRunService {
  static final String ACTOR = "test-orchestrator";

  @Inject Outbox outbox;
  @Inject OrchestratorConfig config;

  /** Registers a request once: a redelivery, or a repeated attempt number, returns the first. */
  @Transactional
  public TestRun request(TestRunRequested request) {
    return register(
        new Key(
            request.runId(),
            RunKind.MIRROR,
            request.ticketId(),
            request.revision(),
            request.attempt()),
        () -> {
          if (request.targets().isEmpty()) {
            throw ApiException.badRequest("targets", "must name at least one container to patch");
          }
        },
        run -> {
          run.sourceNamespace = request.targets().get(0).workload().namespace();
          run.namespace =
              MirrorNames.namespace(request.ticketId(), request.revision(), request.attempt());
          run.request = request;
          run.expiresAt = run.requestedAt.plus(config.mirror().ttl());
        });
  }

  /** A hardware fix's burn-in, registered once like any request. */
  @Transactional
  public TestRun requestBurnIn(BurnInRequested request) {
    return register(
        new Key(
            request.runId(),
            RunKind.BURN_IN,
            request.ticketId(),
            request.revision(),
            request.attempt()),
        () -> {
          if (request.nodeName() == null || request.nodeName().isBlank()) {
            throw new PoisonMessageException("a burn-in needs the node to run on");
          }
          if (request.testSuites() == null || request.testSuites().isEmpty()) {
            throw new PoisonMessageException("a burn-in needs at least one suite to run");
          }
        },
        run -> {
          run.burnInNode = request.nodeName();
          run.namespace =
              MirrorNames.burnInNamespace(
                  request.ticketId(), request.revision(), request.attempt());
          run.burnIn = request;
          run.expiresAt = run.requestedAt.plus(config.burnIn().ttl());
        });
  }

  /** The run already registered under {@code key}, or a new one, validated and filled in. */
  private static TestRun register(Key key, Runnable validate, Consumer<TestRun> fill) {
    Optional<TestRun> existing = key.registered();
    if (existing.isPresent()) {
      return existing.get();
    }
    validate.run();
    TestRun run = key.newRun();
    fill.accept(run);
    run.persist();
    return run;
  }

  /** What identifies a request: its run id, or its attempt of a revision, per kind. */
  private record Key(String runId, RunKind kind, String ticketId, int revision, int attempt) {
    /** The run of a redelivered request, or of the same attempt asked for under a new id. */
    Optional<TestRun> registered() {
      TestRun byId = TestRun.findById(runId);
      if (byId != null) {
        return Optional.of(byId);
      }
      return TestRun.find(
              "ticketId = ?1 and revision = ?2 and attempt = ?3 and kind = ?4",
              ticketId,
              revision,
              attempt,
              kind)
          .firstResultOptional();
    }

    TestRun newRun() {
      TestRun run = new TestRun();
      run.runId = runId;
      run.kind = kind;
      run.ticketId = ticketId;
      run.revision = revision;
      run.attempt = attempt;
      run.state = RunState.REQUESTED;
      run.requestedAt = Instant.now();
      return run;
    }
  }

  /** The next attempt number of a revision, for re-runs asked for over REST. */
  @Transactional
  public int nextAttempt(String ticketId, int revision) {
    Integer max =
        TestRun.getEntityManager()
            .createQuery(
                "select max(r.attempt) from TestRun r"
                    + " where r.ticketId = ?1 and r.revision = ?2 and r.kind = ?3",
                Integer.class)
            .setParameter(1, ticketId)
            .setParameter(2, revision)
            .setParameter(3, RunKind.MIRROR)
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
            run.burnInNode,
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

  /** Earlier attempts of the same kind on the same revision (the same commit), oldest first. */
  @Transactional
  public List<TestRun> earlierAttempts(TestRun run) {
    return TestRun.list(
        "ticketId = ?1 and revision = ?2 and kind = ?3 and attempt < ?4 and analytics is not null"
            + " order by attempt",
        run.ticketId,
        run.revision,
        run.kind,
        run.attempt);
  }
}
