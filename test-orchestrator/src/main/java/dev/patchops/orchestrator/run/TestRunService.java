package dev.patchops.orchestrator.run;

import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.TestEnvironmentDeleted;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRerunRequested;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRefused;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.SecretDecision;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.orchestrator.config.OrchestratorConfig;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.revision.KnownRevision;
import dev.patchops.orchestrator.revision.Revisions;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.platform.messaging.PoisonMessageException;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** The test runs' state, changed only together with the event that announces the change. */
@ApplicationScoped
public class TestRunService {
  static final String ACTOR = "test-orchestrator";

  private static final Logger LOG = Logger.getLogger(TestRunService.class);

  @Inject Outbox outbox;
  @Inject OrchestratorConfig config;
  @Inject Revisions revisions;

  /**
   * Registers a request once: a redelivery, or a repeated attempt number, returns the first. The
   * attempt is numbered per ticket: the requester's number is kept when it is past the ticket's
   * last attempt, else the run gets the next one (the ticket-service does not see direct re-runs).
   */
  @Transactional
  public TestRun request(TestRunRequested request) {
    Optional<TestRun> existing =
        new Key(
                request.runId(),
                RunKind.MIRROR,
                request.ticketId(),
                request.revision(),
                request.attempt())
            .registered();
    if (existing.isPresent()) {
      return existing.get();
    }
    if (request.targets().isEmpty()) {
      throw new PoisonMessageException("a test run needs at least one container to patch");
    }
    int attempt = Math.max(request.attempt(), nextAttempt(request.ticketId()));
    String author =
        revisions
            .find(request.ticketId(), request.revision())
            .map(r -> r.author)
            .orElse(request.requestedBy());
    return registerMirror(request, attempt, author);
  }

  /**
   * A direct request to test a revision again, checked against the revision as proposed, and
   * announced in the trail with the run it starts.
   *
   * @throws RunRefusal when the revision is unknown, the requester neither wrote it nor approves,
   *     or the request asks for another image, targets or suites than the revision's
   */
  @Transactional
  public TestRun rerun(Rerun rerun) {
    KnownRevision revision =
        revisions
            .find(rerun.ticketId(), rerun.revision())
            .orElseThrow(
                () ->
                    new RunRefusal(
                        RunRefusal.Kind.UNKNOWN_REVISION,
                        "revision",
                        "no revision "
                            + rerun.revision()
                            + " of ticket "
                            + rerun.ticketId()
                            + " was proposed"));
    RerunPolicy.check(rerun, revision)
        .ifPresent(
            r -> {
              throw r;
            });
    TestRunRequested request =
        new TestRunRequested(
            rerun.ticketId(),
            rerun.revision(),
            UUID.randomUUID().toString(),
            nextAttempt(rerun.ticketId()),
            revision.image,
            revision.targets,
            revision.testSuites,
            rerun.requestedBy(),
            Instant.now());
    TestRun run = registerMirror(request, request.attempt(), revision.author);
    outbox.publish(
        new TestRerunRequested(
            run.ticketId,
            run.revision,
            run.runId,
            run.attempt,
            request.image(),
            request.targets(),
            request.testSuites(),
            rerun.requestedBy(),
            revision.author,
            request.requestedAt()),
        run.ticketId,
        rerun.requestedBy());
    return run;
  }

  /** A direct request, as the REST edge read it; null fields take the revision's. */
  public record Rerun(
      String ticketId,
      int revision,
      String image,
      List<ContainerTarget> targets,
      List<TestSuiteSpec> testSuites,
      String requestedBy,
      Set<String> roles) {}

  /**
   * Records a refusal in its own transaction, since the caller's is about to roll back. A refusal
   * that cannot be written is logged; the requester is refused either way.
   */
  public void refused(String ticketId, Integer revision, String requestedBy, RunRefusal refusal) {
    try {
      QuarkusTransaction.requiringNew()
          .run(
              () ->
                  outbox.publish(
                      new TestRunRefused(
                          ticketId,
                          revision,
                          requestedBy,
                          refusal.field(),
                          refusal.reason(),
                          Instant.now()),
                      ticketId,
                      requestedBy));
    } catch (RuntimeException e) {
      LOG.errorf(e, "could not record the refusal of a test run of %s", ticketId);
    }
  }

  private TestRun registerMirror(TestRunRequested request, int attempt, String author) {
    TestRun run =
        new Key(request.runId(), RunKind.MIRROR, request.ticketId(), request.revision(), attempt)
            .newRun();
    run.sourceNamespace = request.targets().get(0).workload().namespace();
    run.namespace = MirrorNames.namespace(request.ticketId(), request.revision(), attempt);
    run.request = request;
    run.author = author;
    run.expiresAt = run.requestedAt.plus(config.mirror().ttl());
    run.persist();
    return run;
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

  /**
   * The ticket's next attempt number, across its revisions. The ticket is locked (a transaction
   * advisory lock) so that two requests at once cannot take the same number.
   */
  private static int nextAttempt(String ticketId) {
    TestRun.getEntityManager()
        .createNativeQuery("select count(*) from (select pg_advisory_xact_lock(hashtext(?1))) l")
        .setParameter(1, "test_run:" + ticketId)
        .getSingleResult();
    Integer max =
        TestRun.getEntityManager()
            .createQuery(
                "select max(r.attempt) from TestRun r where r.ticketId = ?1 and r.kind = ?2",
                Integer.class)
            .setParameter(1, ticketId)
            .setParameter(2, RunKind.MIRROR)
            .getSingleResult();
    return max == null ? 1 : max + 1;
  }

  /** Who this executor is in {@code lease_owner}: one per process, as a replica is. */
  private final String instance = java.util.UUID.randomUUID().toString();

  String instance() {
    return instance;
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
          r.leaseOwner = instance;
        });
    return run;
  }

  /**
   * Extends the lease of a run this instance still holds and works on.
   *
   * @return false when the lease is no longer this instance's: another replica took the run up
   */
  @Transactional
  public boolean renewLease(String runId) {
    return TestRun.update(
            "leaseUntil = ?1 where runId = ?2 and leaseOwner = ?3 and state = ?4",
            Instant.now().plus(config.run().lease()),
            runId,
            instance,
            RunState.RUNNING)
        == 1;
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
            run.completedAt,
            run.author),
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

  /**
   * The ticket's earlier attempts of the same kind that have results, oldest first, whatever their
   * revision: the last is the one a run is compared with.
   */
  @Transactional
  public List<TestRun> earlierAttempts(TestRun run) {
    return TestRun.list(
        "ticketId = ?1 and kind = ?2 and attempt < ?3 and analytics is not null order by attempt",
        run.ticketId,
        run.kind,
        run.attempt);
  }
}
