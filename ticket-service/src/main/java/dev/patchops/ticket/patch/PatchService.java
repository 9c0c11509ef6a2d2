package dev.patchops.ticket.patch;

import dev.patchops.contract.events.EmergencyChangeReviewed;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.events.PatchProposed;
import dev.patchops.contract.events.PatchRejected;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.TestAnalytics;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.contract.model.TestSuiteSpec;
import dev.patchops.contract.model.VcsRef;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.freeze.FreezeWindow;
import dev.patchops.ticket.process.Gate;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.process.NotFound;
import dev.patchops.ticket.process.Policies;
import dev.patchops.ticket.process.Refusal;
import dev.patchops.ticket.rootcause.RootCause;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Patch revisions: proposal, test feedback, approval and rejection, and what rollouts report. */
@ApplicationScoped
public class PatchService {
  private static final Logger LOG = Logger.getLogger(PatchService.class);

  /** The default canary plan when a revision does not bring its own. */
  public static final List<CanaryStep> DEFAULT_CANARY =
      List.of(
          new CanaryStep(10, 60),
          new CanaryStep(25, 60),
          new CanaryStep(50, 60),
          new CanaryStep(100, 0));

  @Inject TicketService tickets;
  @Inject Outbox outbox;
  @Inject Gates gates;

  public record Proposal(
      VcsRef vcs,
      String image,
      List<ContainerTarget> targets,
      String changeWhat,
      String changeWhy,
      List<TestSuiteSpec> testSuites,
      List<CanaryStep> canarySteps) {}

  public record Decision(boolean emergency, String reason) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public PatchRevision propose(String ticketId, Proposal proposal, String author) {
    Ticket ticket = tickets.lock(ticketId);
    gates.enforce(
        ticket.id,
        "propose-patch",
        author,
        Policies.propose(
            new Policies.ProposeFacts(
                ticket.id,
                ticket.kind,
                ticket.state,
                RootCause.findById(ticket.id) != null,
                ticket.workloadNamespace,
                proposal.targets().stream().map(t -> t.workload().namespace()).toList())));
    int revisionNumber = ticket.currentRevision == null ? 1 : ticket.currentRevision + 1;
    if (ticket.currentRevision != null) {
      PatchRevision previous = PatchRevision.find(ticket.id, ticket.currentRevision);
      if (previous != null
          && Set.of(RevisionState.TESTING, RevisionState.PASSED).contains(previous.state)) {
        previous.state = RevisionState.SUPERSEDED;
      }
    }
    PatchRevision revision = new PatchRevision();
    revision.ticketId = ticket.id;
    revision.revision = revisionNumber;
    revision.state = RevisionState.TESTING;
    revision.repositoryUrl = proposal.vcs().repositoryUrl();
    revision.commitSha = proposal.vcs().commitSha();
    revision.pullRequestUrl = proposal.vcs().pullRequestUrl();
    revision.image = proposal.image();
    revision.targets = List.copyOf(proposal.targets());
    revision.changeWhat = proposal.changeWhat();
    revision.changeWhy = proposal.changeWhy();
    revision.author = author;
    revision.testSuites = List.copyOf(proposal.testSuites());
    revision.canarySteps =
        proposal.canarySteps() == null || proposal.canarySteps().isEmpty()
            ? DEFAULT_CANARY
            : List.copyOf(proposal.canarySteps());
    revision.proposedAt = Instant.now();
    revision.testRunId = UUID.randomUUID().toString();
    revision.testAttempt = lastTestAttempt(ticket.id) + 1;
    revision.persist();

    tickets.move(ticket, TicketState.PATCH_PROPOSED, author, "propose-patch");
    ticket.currentRevision = revisionNumber;
    ticket.iterations = revisionNumber;

    String subject = "tickets/" + ticket.id + "/revisions/" + revisionNumber;
    outbox.publish(
        new PatchProposed(
            ticket.id,
            revisionNumber,
            proposal.vcs(),
            revision.image,
            revision.targets,
            revision.changeWhat,
            revision.changeWhy,
            author,
            revision.testSuites,
            revision.canarySteps,
            revision.proposedAt),
        subject,
        author);
    outbox.publish(
        new TestRunRequested(
            ticket.id,
            revisionNumber,
            revision.testRunId,
            revision.testAttempt,
            revision.image,
            revision.targets,
            revision.testSuites,
            author,
            revision.proposedAt),
        subject,
        author);
    return revision;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public PatchRevision approve(
      String ticketId, int revisionNumber, Decision decision, String actor, Set<String> roles) {
    Ticket ticket = tickets.lock(ticketId);
    PatchRevision revision = revision(ticket.id, revisionNumber);
    String action = decision.emergency() ? "emergency-approve" : "approve";
    Policies.ActiveFreeze freeze =
        FreezeWindow.activeAt(Instant.now())
            .map(w -> new Policies.ActiveFreeze(w.endsAt, w.reason))
            .orElse(null);
    gates.enforce(
        ticket.id,
        action,
        actor,
        Policies.approve(
            new Policies.ApproveFacts(
                ticket.id,
                revisionNumber,
                new Policies.Actor(actor, roles),
                decision.emergency(),
                decision.reason(),
                revision.author,
                RootCause.findById(ticket.id) != null,
                revision.state,
                freeze)));
    tickets.move(ticket, TicketState.APPROVED, actor, action);
    revision.state = RevisionState.APPROVED;
    revision.decidedBy = actor;
    revision.decidedAt = Instant.now();
    revision.decisionReason = decision.reason();
    revision.emergency = decision.emergency();
    revision.reviewRequired = decision.emergency();
    outbox.publish(
        new PatchApproved(
            ticket.id,
            revisionNumber,
            actor,
            revision.author,
            revision.emergency,
            decision.emergency() ? decision.reason() : null,
            revision.image,
            revision.targets,
            revision.canarySteps,
            revision.decidedAt),
        "tickets/" + ticket.id + "/revisions/" + revisionNumber,
        actor);
    return revision;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public PatchRevision reject(String ticketId, int revisionNumber, String reason, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    PatchRevision revision = revision(ticket.id, revisionNumber);
    if (revision.state != RevisionState.PASSED || ticket.state != TicketState.AWAITING_APPROVAL) {
      throw gates.refuse(
          ticket.id,
          "reject",
          actor,
          Refusal.conflict(
              Gate.STATE,
              "revision "
                  + revisionNumber
                  + " is "
                  + revision.state
                  + " and not awaiting a decision"));
    }
    tickets.move(ticket, TicketState.CHANGES_REQUESTED, actor, "reject");
    revision.state = RevisionState.REJECTED;
    revision.decidedBy = actor;
    revision.decidedAt = Instant.now();
    revision.decisionReason = reason;
    outbox.publish(
        new PatchRejected(ticket.id, revisionNumber, actor, reason, revision.decidedAt),
        "tickets/" + ticket.id + "/revisions/" + revisionNumber,
        actor);
    return revision;
  }

  /**
   * Reviews an emergency change after the fact. The reviewer must be neither its author nor the
   * person who approved it in the emergency.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public PatchRevision review(
      String ticketId, int revisionNumber, boolean accepted, String findings, String actor) {
    Ticket ticket = tickets.lock(ticketId);
    PatchRevision revision = revision(ticket.id, revisionNumber);
    gates.enforce(
        ticket.id,
        "review-emergency",
        actor,
        Policies.reviewEmergency(
            ticket.id,
            revisionNumber,
            revision.reviewRequired,
            revision.author,
            revision.decidedBy,
            actor));
    revision.reviewRequired = false;
    revision.reviewedBy = actor;
    revision.reviewedAt = Instant.now();
    revision.reviewAccepted = accepted;
    revision.reviewFindings = findings;
    outbox.publish(
        new EmergencyChangeReviewed(
            ticket.id, revisionNumber, actor, accepted, findings, revision.reviewedAt),
        "tickets/" + ticket.id + "/revisions/" + revisionNumber,
        actor);
    return revision;
  }

  /**
   * Test attempts are numbered per ticket, across revisions, so that the test-orchestrator compares
   * a revision's run with the one before it. The orchestrator gives a later number if direct
   * re-runs (which it alone sees) already took this one.
   */
  private static int lastTestAttempt(String ticketId) {
    Integer last =
        PatchRevision.getEntityManager()
            .createQuery(
                "select max(r.testAttempt) from PatchRevision r where r.ticketId = ?1",
                Integer.class)
            .setParameter(1, ticketId)
            .getSingleResult();
    return last == null ? 0 : last;
  }

  public PatchRevision revision(String ticketId, int revisionNumber) {
    PatchRevision revision = PatchRevision.find(ticketId, revisionNumber);
    if (revision == null) {
      tickets.get(ticketId);
      throw new NotFound("revision " + revisionNumber + " of ticket " + ticketId);
    }
    return revision;
  }

  public List<PatchRevision> revisions(String ticketId) {
    tickets.get(ticketId);
    return PatchRevision.list("ticketId = ?1 order by revision", ticketId);
  }

  // --- Feedback from the test-orchestrator and the rollout-service, applied from events. ---
  // Each handler locks the ticket before reading anything, so the locks are always taken ticket
  // row first, then the outbox key: the same order as every REST path.

  @Transactional(Transactional.TxType.MANDATORY)
  public void environmentReady(
      String ticketId, int revisionNumber, String runId, String namespace) {
    Ticket ticket = tickets.lockIfExists(ticketId);
    PatchRevision revision = revisionUnderTest(ticket, revisionNumber, runId);
    if (revision == null) {
      return;
    }
    revision.testNamespace = namespace;
    if (isCurrent(ticket, revisionNumber)) {
      tickets.follow(ticket, TicketState.TESTING);
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void testCompleted(
      String ticketId,
      int revisionNumber,
      String runId,
      TestOutcome outcome,
      TestAnalytics analytics,
      Instant completedAt) {
    Ticket ticket = tickets.lockIfExists(ticketId);
    PatchRevision revision = revisionUnderTest(ticket, revisionNumber, runId);
    if (revision == null) {
      return;
    }
    revision.testOutcome = outcome;
    revision.testAnalytics = analytics;
    revision.testedAt = completedAt;
    boolean passed = outcome == TestOutcome.PASSED;
    revision.state = passed ? RevisionState.PASSED : RevisionState.FAILED;
    if (isCurrent(ticket, revisionNumber)) {
      tickets.follow(
          ticket, passed ? TicketState.AWAITING_APPROVAL : TicketState.CHANGES_REQUESTED);
    }
  }

  /** The first sign of a rollout (checkpoint or canary step) binds it to the approved revision. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void rolloutProgressing(String ticketId, String rolloutId, Integer revisionNumber) {
    PatchRevision revision = rolloutRevision(ticketId, rolloutId, revisionNumber);
    if (revision != null) {
      tickets.follow(tickets.lock(ticketId), TicketState.ROLLING_OUT);
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void rolloutPromoted(String ticketId, String rolloutId, int revisionNumber) {
    PatchRevision revision = rolloutRevision(ticketId, rolloutId, revisionNumber);
    if (revision != null) {
      tickets.follow(tickets.lock(ticketId), TicketState.MONITORING);
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void watchWindowPassed(String ticketId, String rolloutId, String actor) {
    PatchRevision revision = rolloutRevision(ticketId, rolloutId, null);
    if (revision != null) {
      tickets.resolve(
          tickets.lock(ticketId),
          "revision " + revision.revision + " promoted and stable through its watch window",
          actor);
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void rolloutReverted(
      String ticketId, String rolloutId, int revisionNumber, String reason) {
    PatchRevision revision = rolloutRevision(ticketId, rolloutId, revisionNumber);
    if (revision != null) {
      revision.state = RevisionState.REVERTED;
      revision.revertReason = reason;
      tickets.follow(tickets.lock(ticketId), TicketState.REVERTED);
    }
  }

  /** Nothing was changed in the cluster: the developers get the revision back with the reason. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void rolloutNotStarted(
      String ticketId, String rolloutId, int revisionNumber, String reason) {
    PatchRevision revision = rolloutRevision(ticketId, rolloutId, revisionNumber);
    if (revision != null && revision.state == RevisionState.APPROVED) {
      revision.state = RevisionState.REVERTED;
      revision.revertReason = "rollout not started, nothing changed: " + reason;
      tickets.follow(tickets.lock(ticketId), TicketState.CHANGES_REQUESTED);
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void revertCompleted(String ticketId, String rolloutId) {
    PatchRevision revision = rolloutRevision(ticketId, rolloutId, null);
    if (revision != null) {
      tickets.follow(tickets.lock(ticketId), TicketState.CHANGES_REQUESTED);
    }
  }

  /**
   * The revision a rollout event is about, with the ticket locked; null for stale events: another
   * revision than the current approved one, or another rollout than the one already bound to it.
   */
  private PatchRevision rolloutRevision(String ticketId, String rolloutId, Integer revisionNumber) {
    Ticket ticket = tickets.lockIfExists(ticketId);
    if (ticket == null || ticket.currentRevision == null) {
      return null;
    }
    if (revisionNumber != null && revisionNumber != ticket.currentRevision.intValue()) {
      LOG.debugf(
          "ignoring rollout %s of old revision %d of %s", rolloutId, revisionNumber, ticketId);
      return null;
    }
    PatchRevision revision = PatchRevision.find(ticketId, ticket.currentRevision);
    if (revision == null
        || !Set.of(RevisionState.APPROVED, RevisionState.REVERTED).contains(revision.state)) {
      return null;
    }
    if (revision.rolloutId == null) {
      revision.rolloutId = rolloutId;
    } else if (!revision.rolloutId.equals(rolloutId)) {
      LOG.debugf("ignoring rollout %s: revision is carried by %s", rolloutId, revision.rolloutId);
      return null;
    }
    return revision;
  }

  /**
   * The revision a test event is about; null (and the event ignored) for an unknown ticket, another
   * run, or a revision that was already decided.
   */
  private static PatchRevision revisionUnderTest(Ticket ticket, int revisionNumber, String runId) {
    PatchRevision revision = ticket == null ? null : PatchRevision.find(ticket.id, revisionNumber);
    if (revision == null
        || !runId.equals(revision.testRunId)
        || revision.state != RevisionState.TESTING) {
      LOG.debugf("ignoring test event of run %s", runId);
      return null;
    }
    return revision;
  }

  private static boolean isCurrent(Ticket ticket, int revisionNumber) {
    return ticket.currentRevision != null && ticket.currentRevision == revisionNumber;
  }
}
