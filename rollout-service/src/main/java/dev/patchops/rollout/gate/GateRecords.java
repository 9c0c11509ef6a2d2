package dev.patchops.rollout.gate;

import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The start gate's inputs kept by this service: approvals and freeze windows, from the
 * ticket-service's events. Recording is idempotent: a redelivered or repeated event changes
 * nothing.
 */
@ApplicationScoped
public class GateRecords {

  /** One row per approved workload; an approval already recorded for it is kept as it was. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void approved(PatchApproved e, String eventId) {
    Map<WorkloadRef, List<String>> byWorkload = new LinkedHashMap<>();
    for (ContainerTarget t : e.targets()) {
      byWorkload.computeIfAbsent(t.workload(), w -> new ArrayList<>()).add(t.container());
    }
    for (var entry : byWorkload.entrySet()) {
      WorkloadRef w = entry.getKey();
      String id = id(e.ticketId(), e.revision(), e.image(), w);
      if (ApprovalRecord.findById(id) != null) {
        continue;
      }
      ApprovalRecord a = new ApprovalRecord();
      a.id = id;
      a.ticketId = e.ticketId();
      a.revision = e.revision();
      a.image = e.image();
      a.namespace = w.namespace();
      a.kind = w.kind();
      a.name = w.name();
      a.containers = List.copyOf(entry.getValue());
      a.approver = e.approver();
      a.author = e.author();
      a.emergency = e.emergency();
      a.emergencyReason = e.emergencyReason();
      a.eventId = eventId;
      a.approvedAt = e.approvedAt() == null ? Instant.now() : e.approvedAt();
      a.recordedAt = Instant.now();
      a.persist();
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void freezeCreated(FreezeWindowCreated e) {
    FreezeWindowRecord w = FreezeWindowRecord.findById(e.windowId());
    if (w != null) {
      // Already known, or already deleted: a deletion is final.
      return;
    }
    w = new FreezeWindowRecord();
    w.id = e.windowId();
    w.startsAt = e.startsAt();
    w.endsAt = e.endsAt();
    w.reason = e.reason();
    w.createdBy = e.createdBy();
    w.createdAt = e.createdAt();
    w.persist();
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void freezeDeleted(FreezeWindowDeleted e) {
    FreezeWindowRecord w = FreezeWindowRecord.findById(e.windowId());
    if (w == null) {
      w = new FreezeWindowRecord();
      w.id = e.windowId();
      w.persist();
    }
    if (w.deletedAt == null) {
      w.deletedAt = e.deletedAt() == null ? Instant.now() : e.deletedAt();
      w.deletedBy = e.deletedBy();
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public List<ApprovalRecord> approvalsOf(String ticketId, int revision) {
    return ApprovalRecord.<ApprovalRecord>find(
            "ticketId = ?1 and revision = ?2 order by recordedAt", ticketId, revision)
        .list();
  }

  /** The windows that are not lifted and not over yet. */
  @Transactional(Transactional.TxType.MANDATORY)
  public List<StartGate.Freeze> freezes(Instant now) {
    return FreezeWindowRecord.<FreezeWindowRecord>find(
            "deletedAt is null and endsAt > ?1 order by startsAt", now)
        .list()
        .stream()
        .map(w -> new StartGate.Freeze(w.id, w.startsAt, w.endsAt, w.reason))
        .toList();
  }

  static String id(String ticketId, int revision, String image, WorkloadRef w) {
    String key =
        ticketId
            + "|"
            + revision
            + "|"
            + image
            + "|"
            + w.namespace()
            + "|"
            + w.kind()
            + "|"
            + w.name();
    try {
      return "ap-"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 24);
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
