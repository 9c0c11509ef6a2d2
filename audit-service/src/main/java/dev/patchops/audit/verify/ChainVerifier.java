package dev.patchops.audit.verify;

import dev.patchops.audit.checkpoint.AuditCheckpoint;
import dev.patchops.audit.checkpoint.CheckpointMessage;
import dev.patchops.audit.checkpoint.CheckpointService;
import dev.patchops.audit.checkpoint.KeySet;
import dev.patchops.audit.config.AuditConfig;
import dev.patchops.audit.trail.AuditStoreException;
import dev.patchops.audit.trail.AuditTrail;
import dev.patchops.audit.trail.ChainHash;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.audit.verify.VerificationReport.CheckpointCheck;
import dev.patchops.audit.verify.VerificationReport.Problem;
import dev.patchops.audit.verify.VerificationReport.ProblemKind;
import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;

/**
 * Re-walks the chain from the database, trusting nothing stored: every hash is recomputed, every
 * link and sequence number checked, and the walk is held against the signed checkpoints, which is
 * the only way to notice a truncated tail.
 */
@ApplicationScoped
public class ChainVerifier {
  private static final int WALK_TIMEOUT_SECONDS = 3600;

  private final AgroalDataSource dataSource;
  private final CheckpointService checkpoints;
  private final AuditConfig config;
  private final Semaphore walks;

  @Inject
  public ChainVerifier(
      AgroalDataSource dataSource, CheckpointService checkpoints, AuditConfig config) {
    this.dataSource = dataSource;
    this.checkpoints = checkpoints;
    this.config = config;
    this.walks = new Semaphore(Math.max(1, config.verify().maxConcurrent()));
  }

  /** A walk of the chain is running: another would be one connection too many. */
  public static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Busy(int running) {
      super(
          running
              + " chain verification"
              + (running == 1 ? " is" : "s are")
              + " running (audit.verify.max-concurrent); try again when it has finished");
    }
  }

  /** The right to walk the chain, held until closed; refused at once when none is free. */
  public AutoCloseable begin() {
    if (!walks.tryAcquire()) {
      throw new Busy(Math.max(1, config.verify().maxConcurrent()));
    }
    return walks::release;
  }

  /** The same, waiting for a walk to end: for the periodic self-check, which must not skip. */
  AutoCloseable beginWaiting() throws InterruptedException {
    walks.acquire();
    return walks::release;
  }

  /**
   * @param from first seq to check (1 for the whole chain)
   * @param to last seq to check, or null for up to the head, which also checks for truncation
   */
  public VerificationReport verify(long from, Long to) {
    return verify(from, to, List.of());
  }

  /**
   * @param kept checkpoints held outside this database (from the audit topic, say): they catch a
   *     truncation even when the stored checkpoints were deleted along with the tail
   */
  public VerificationReport verify(long from, Long to, List<AuditCheckpoint> kept) {
    try (AutoCloseable walk = begin()) {
      return walkInTransaction(from, to, kept);
    } catch (Busy e) {
      throw e;
    } catch (Exception e) {
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  /** The self-check's walk: waits for a running one instead of being refused. */
  VerificationReport verifyWaiting(long from, Long to) throws InterruptedException {
    try (AutoCloseable walk = beginWaiting()) {
      return walkInTransaction(from, to, List.of());
    } catch (InterruptedException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private VerificationReport walkInTransaction(long from, Long to, List<AuditCheckpoint> kept) {
    // A long chain takes longer than the default transaction timeout to walk.
    return QuarkusTransaction.requiringNew()
        .timeout(WALK_TIMEOUT_SECONDS)
        .call(() -> walk(Math.max(1, from), to, kept));
  }

  private VerificationReport walk(long from, Long to, List<AuditCheckpoint> kept) {
    List<AuditCheckpoint> stored = AuditCheckpoint.list("order by id");
    List<AuditCheckpoint> all = new java.util.ArrayList<>(stored);
    all.addAll(kept);
    // Every checkpoint counts: two that signed different hashes at one seq prove a rewrite.
    Map<Long, List<AuditCheckpoint>> bySeq = new TreeMap<>();
    AuditCheckpoint newest = null;
    for (AuditCheckpoint c : all) {
      KeySet.Verdict verdict = checkpoints.verification(c);
      if (verdict != KeySet.Verdict.VALID) {
        boolean unknown = verdict == KeySet.Verdict.UNKNOWN_KEY;
        return report(
            false,
            from,
            to,
            0,
            null,
            null,
            new Problem(
                c.seq,
                unknown
                    ? ProblemKind.CHECKPOINT_KEY_UNKNOWN
                    : ProblemKind.CHECKPOINT_SIGNATURE_INVALID,
                "checkpoint signed at "
                    + c.signedAt
                    + (unknown
                        ? " names key " + c.keyId + ", which is not in the published key set"
                        : " does not verify with key " + c.keyId)),
            null);
      }
      bySeq.computeIfAbsent(c.seq, k -> new java.util.ArrayList<>()).add(c);
      if (newest == null || c.seq > newest.seq) {
        newest = c;
      }
    }
    // The stored checkpoints form a chain of their own: re-signing one (even with the right key)
    // breaks the link of the one after it.
    String expectedLink = CheckpointMessage.GENESIS;
    for (AuditCheckpoint c : stored) {
      if (c.prevCheckpointHash != null && !c.prevCheckpointHash.equals(expectedLink)) {
        return report(
            false,
            from,
            to,
            0,
            null,
            null,
            new Problem(
                c.seq,
                ProblemKind.CHECKPOINT_LINK_BROKEN,
                "checkpoint signed at "
                    + c.signedAt
                    + " links to "
                    + c.prevCheckpointHash
                    + " but the checkpoint before it hashes to "
                    + expectedLink),
            null);
      }
      expectedLink = CheckpointMessage.hash(c);
    }

    try (Connection connection = dataSource.getConnection()) {
      String expectedPrev = ChainHash.GENESIS;
      if (from > 1) {
        try (PreparedStatement s =
            connection.prepareStatement("select hash from audit_record where seq = ?")) {
          s.setLong(1, from - 1);
          try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
              return report(
                  false,
                  from,
                  to,
                  0,
                  null,
                  null,
                  new Problem(from - 1, ProblemKind.GAP, "record " + (from - 1) + " is missing"),
                  null);
            }
            expectedPrev = rs.getString(1);
          }
        }
      }
      String sql =
          "select "
              + AuditTrail.COLUMNS
              + " from audit_record where seq >= ?"
              + (to == null ? "" : " and seq <= ?")
              + " order by seq";
      long expectedSeq = from;
      long checked = 0;
      Long lastSeq = null;
      String lastHash = null;
      CheckpointCheck lastCheckpoint = null;
      try (PreparedStatement s = connection.prepareStatement(sql)) {
        s.setFetchSize(config.verify().fetchSize());
        s.setLong(1, from);
        if (to != null) {
          s.setLong(2, to);
        }
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            TrailRecord r = AuditTrail.read(rs);
            Problem problem = null;
            if (r.seq() != expectedSeq) {
              problem =
                  new Problem(
                      expectedSeq,
                      ProblemKind.GAP,
                      "expected record "
                          + expectedSeq
                          + ", the next stored one is "
                          + r.seq()
                          + ": "
                          + (r.seq() - expectedSeq)
                          + " record(s) missing");
            } else if (!expectedPrev.equals(r.prevHash())) {
              problem =
                  new Problem(
                      r.seq(),
                      ProblemKind.PREV_HASH_MISMATCH,
                      "prev_hash "
                          + r.prevHash()
                          + " but the previous record's hash is "
                          + expectedPrev);
            } else {
              String recomputed = ChainHash.hash(r.prevHash(), ChainHash.canonical(r));
              if (!recomputed.equals(r.hash())) {
                problem =
                    new Problem(
                        r.seq(),
                        ProblemKind.HASH_MISMATCH,
                        "stored hash " + r.hash() + " but the content hashes to " + recomputed);
              } else {
                for (AuditCheckpoint c : bySeq.getOrDefault(r.seq(), List.of())) {
                  if (!c.headHash.equals(r.hash())) {
                    problem =
                        new Problem(
                            r.seq(),
                            ProblemKind.CHECKPOINT_MISMATCH,
                            "checkpoint signed at " + c.signedAt + " holds hash " + c.headHash);
                    break;
                  }
                }
              }
            }
            if (problem != null) {
              return report(false, from, to, checked, lastSeq, lastHash, problem, lastCheckpoint);
            }
            for (AuditCheckpoint c : bySeq.getOrDefault(r.seq(), List.of())) {
              lastCheckpoint = new CheckpointCheck(c.seq, c.headHash, c.signedAt, true);
            }
            checked++;
            expectedSeq = r.seq() + 1;
            expectedPrev = r.hash();
            lastSeq = r.seq();
            lastHash = r.hash();
          }
        }
      }
      long end = lastSeq == null ? from - 1 : lastSeq;
      if (to == null && newest != null && newest.seq > end) {
        return report(
            false,
            from,
            to,
            checked,
            lastSeq,
            lastHash,
            new Problem(
                end + 1,
                ProblemKind.TRUNCATED,
                "the chain ends at "
                    + end
                    + " but a checkpoint signed at "
                    + newest.signedAt
                    + " covers up to "
                    + newest.seq),
            new CheckpointCheck(newest.seq, newest.headHash, newest.signedAt, false));
      }
      return report(true, from, to, checked, lastSeq, lastHash, null, lastCheckpoint);
    } catch (SQLException e) {
      throw new AuditStoreException("cannot walk the audit chain", e);
    }
  }

  private static VerificationReport report(
      boolean valid,
      long from,
      Long to,
      long checked,
      Long headSeq,
      String headHash,
      Problem problem,
      CheckpointCheck checkpoint) {
    long end = to != null ? to : headSeq != null ? headSeq : from - 1;
    return new VerificationReport(
        valid, from, end, checked, headSeq, headHash, problem, checkpoint, Instant.now());
  }
}
