package dev.patchops.orchestrator.run;

import dev.patchops.orchestrator.revision.KnownRevision;
import dev.patchops.platform.security.Roles;
import java.util.Optional;

/**
 * Who may test a revision directly, and with what: its author or an approver, and only what the
 * revision proposed. Another image, namespace or command would test something no one proposed, and
 * the trail would credit it to the revision.
 */
public final class RerunPolicy {
  private RerunPolicy() {}

  public static Optional<RunRefusal> check(TestRunService.Rerun rerun, KnownRevision revision) {
    boolean approver =
        rerun.roles().contains(Roles.APPROVER) || rerun.roles().contains(Roles.ADMIN);
    if (!approver && !rerun.requestedBy().equals(revision.author)) {
      return refuse(
          RunRefusal.Kind.NOT_ALLOWED,
          "requester",
          rerun.requestedBy()
              + " neither wrote revision "
              + rerun.revision()
              + " (its author is "
              + revision.author
              + ") nor holds role approver");
    }
    if (rerun.image() != null && !rerun.image().equals(revision.image)) {
      return refuse(
          RunRefusal.Kind.INVALID,
          "image",
          "must be the image revision " + rerun.revision() + " proposed, " + revision.image);
    }
    if (rerun.targets() != null && !rerun.targets().equals(revision.targets)) {
      return refuse(
          RunRefusal.Kind.INVALID,
          "targets",
          "must be the workloads and containers revision " + rerun.revision() + " proposed");
    }
    if (rerun.testSuites() != null && !rerun.testSuites().equals(revision.testSuites)) {
      return refuse(
          RunRefusal.Kind.INVALID,
          "testSuites",
          "must be the suites (images and commands) revision " + rerun.revision() + " proposed");
    }
    return Optional.empty();
  }

  private static Optional<RunRefusal> refuse(RunRefusal.Kind kind, String field, String reason) {
    return Optional.of(new RunRefusal(kind, field, reason));
  }
}
