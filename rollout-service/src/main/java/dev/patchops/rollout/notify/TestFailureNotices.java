package dev.patchops.rollout.notify;

import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.AttemptChanges;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.rollout.config.RolloutConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells a revision's author that its tests failed, through the one outbound webhook: the failures,
 * what changed since the ticket's previous attempt, and a link to the revision. Burn-ins are the
 * hardware path's and have no author to tell.
 */
@ApplicationScoped
public class TestFailureNotices {
  /** Enough for a chat message; the rest is behind the link. */
  static final int MAX_FAILURES = 10;

  @Inject Notifier notifier;
  @Inject RolloutConfig config;

  @Transactional(Transactional.TxType.MANDATORY)
  public void completed(TestRunCompleted e) {
    if (e.burnInNode() != null || e.outcome() == TestOutcome.PASSED || e.author() == null) {
      return;
    }
    String link =
        config.notifications().ticketApiUrl().replaceAll("/+$", "")
            + "/api/v1/tickets/"
            + e.ticketId()
            + "/revisions/"
            + e.revision();
    List<String> failures =
        e.analytics() == null || e.analytics().failureMessages() == null
            ? List.of()
            : e.analytics().failureMessages();
    if (failures.isEmpty() && e.analytics() != null && e.analytics().environmentIssues() != null) {
      failures = e.analytics().environmentIssues();
    }
    List<String> shown = failures.subList(0, Math.min(MAX_FAILURES, failures.size()));
    AttemptChanges changes = e.analytics() == null ? null : e.analytics().changesSinceLastAttempt();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("to", e.author());
    details.put("revision", e.revision());
    details.put("attempt", e.attempt());
    details.put("runId", e.runId());
    details.put("outcome", e.outcome().name());
    details.put("failures", shown);
    details.put("changesSinceLastAttempt", changes);
    details.put("link", link);
    String text =
        "@"
            + e.author()
            + ": revision "
            + e.revision()
            + " "
            + e.outcome()
            + " its tests (attempt "
            + e.attempt()
            + "): "
            + (shown.isEmpty() ? "no failure message" : String.join("; ", shown))
            + (failures.size() > shown.size()
                ? " (+" + (failures.size() - shown.size()) + " more)"
                : "")
            + (changes == null ? "" : ". " + changes.summary())
            + ". "
            + link;
    notifier.queue(null, Notifier.Kind.TESTS_FAILED, e.ticketId(), text, details);
  }
}
