package dev.patchops.rollout.canary.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.rollout.canary.AlertReach;
import dev.patchops.rollout.canary.AlertRules;
import dev.patchops.rollout.canary.AnalysisSpec;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutEngine;
import dev.patchops.rollout.canary.RolloutService;
import dev.patchops.rollout.canary.RolloutStarts;
import dev.patchops.rollout.canary.k8s.AlertWorkloads;
import dev.patchops.rollout.gate.GateRecords;
import dev.patchops.rollout.notify.TestFailureNotices;
import dev.patchops.rollout.quarantine.QuarantineService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * What the rollout-service reacts to: approvals start rollouts, alerts revert them, quarantine
 * requests and burn-in results drive the hardware path. Each handler only writes the database
 * (inbox, state, outbox); the engine does the cluster work, so a redelivery can change nothing.
 */
@ApplicationScoped
public class RolloutEventsConsumer {
  static final String TICKETS_CONSUMER = "rollout-service.tickets";
  static final String ALERTS_CONSUMER = "rollout-service.alerts";
  static final String TESTS_CONSUMER = "rollout-service.tests";

  @Inject InboundEvents inbound;
  @Inject RolloutService rollouts;
  @Inject RolloutStarts starts;
  @Inject QuarantineService quarantines;
  @Inject RolloutEngine engine;
  @Inject GateRecords gateRecords;
  @Inject TestFailureNotices testFailures;
  @Inject AlertWorkloads alertWorkloads;

  /**
   * The ticket events a rollout acts on. The rest of the topic (a ticket's every other step) is
   * skipped by its {@code ce_type} header before decoding, with no transaction or inbox row: under
   * a burst of tickets those are nearly all of it.
   */
  private static final Set<String> TICKET_TYPES_ACTED_ON =
      Set.of(
          EventType.PATCH_APPROVED.type(),
          EventType.HARDWARE_QUARANTINE_REQUESTED.type(),
          EventType.HARDWARE_FIX_APPROVED.type(),
          EventType.HARDWARE_MANUAL_RELEASE_REQUESTED.type(),
          EventType.FREEZE_WINDOW_CREATED.type(),
          EventType.FREEZE_WINDOW_DELETED.type());

  /**
   * A poll at a time (batch mode, see application.properties). A poll's offsets are committed once
   * this returns; a record that throws leaves them uncommitted, and the inbox skips what a
   * redelivered poll already did.
   */
  @Incoming(Channels.TICKETS_IN)
  @Blocking
  public void tickets(ConsumerRecords<String, byte[]> records) {
    boolean processed = false;
    for (ConsumerRecord<String, byte[]> record : records) {
      if (knownButNotActedOn(record)) {
        continue;
      }
      processed |=
          inbound.process(
                  TICKETS_CONSUMER,
                  record,
                  event -> {
                    if (event.payload() instanceof PatchApproved approved) {
                      gateRecords.approved(approved, event.id());
                      approved(approved, event.id(), event.actor());
                    } else if (event.payload() instanceof FreezeWindowCreated freeze) {
                      gateRecords.freezeCreated(freeze);
                    } else if (event.payload() instanceof FreezeWindowDeleted lifted) {
                      gateRecords.freezeDeleted(lifted);
                    } else if (event.payload() instanceof HardwareQuarantineRequested request) {
                      quarantines.requested(request);
                    } else if (event.payload() instanceof HardwareFixApproved approvedFix) {
                      quarantines.fixApproved(approvedFix);
                    } else if (event.payload() instanceof HardwareManualReleaseRequested manual) {
                      quarantines.manualRelease(manual);
                    }
                  })
              == InboundEvents.Outcome.PROCESSED;
    }
    if (processed) {
      engine.wake();
    }
  }

  /**
   * A record without a type, or with one the contract does not know, is not skipped: {@link
   * InboundEvents} dead-letters it, as it would any malformed record.
   */
  static boolean knownButNotActedOn(ConsumerRecord<String, byte[]> record) {
    Header type = record.headers().lastHeader(CloudEventHeaders.TYPE);
    if (type == null) {
      return false;
    }
    String value = new String(type.value(), StandardCharsets.UTF_8);
    return !TICKET_TYPES_ACTED_ON.contains(value) && EventType.fromType(value).isPresent();
  }

  /**
   * A poll at a time (batch mode), with the running rollouts read once for it: an alert that can
   * reach none of them ({@link AlertReach}) is checked and acknowledged without a transaction or an
   * API lookup, so a storm of alerts about other workloads does not delay a canary's own. A rollout
   * started after the poll's read cannot be reverted by these alerts anyway: they began before it.
   */
  @Incoming(Channels.ALERTS_IN)
  @Blocking
  public void alerts(ConsumerRecords<String, byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    List<AlertReach.Running> running = rollouts.running();
    boolean processed = false;
    for (ConsumerRecord<String, byte[]> record : records) {
      processed |=
          inbound.process(
                  ALERTS_CONSUMER,
                  record,
                  event ->
                      !(event.payload() instanceof AlertReceived alert)
                          || AlertReach.mayReach(alert, running),
                  event -> {
                    if (event.payload() instanceof AlertReceived alert) {
                      alert(alert);
                    }
                  })
              == InboundEvents.Outcome.PROCESSED;
    }
    if (processed) {
      engine.wake();
    }
  }

  @Incoming(Channels.TESTS_IN)
  @Blocking
  public void tests(ConsumerRecord<String, byte[]> record) {
    wakeIfProcessed(
        inbound.process(
            TESTS_CONSUMER,
            record,
            event -> {
              if (event.payload() instanceof TestRunCompleted done && done.burnInNode() != null) {
                quarantines.burnInCompleted(done);
              } else if (event.payload() instanceof TestRunCompleted done) {
                testFailures.completed(done);
              }
            }));
  }

  private void wakeIfProcessed(InboundEvents.Outcome outcome) {
    if (outcome == InboundEvents.Outcome.PROCESSED) {
      engine.wake();
    }
  }

  /** One rollout per Deployment the revision targets, with the containers it patches there. */
  private void approved(PatchApproved e, String eventId, String actor) {
    Map<WorkloadRef, List<String>> byWorkload = new LinkedHashMap<>();
    for (ContainerTarget t : e.targets()) {
      byWorkload.computeIfAbsent(t.workload(), w -> new ArrayList<>()).add(t.container());
    }
    for (var entry : byWorkload.entrySet()) {
      WorkloadRef w = entry.getKey();
      var request =
          new RolloutStarts.StartRollout(
              eventRolloutId(eventId, w),
              e.ticketId(),
              e.revision(),
              e.image(),
              w.namespace(),
              w.name(),
              entry.getValue(),
              e.canarySteps(),
              null,
              AnalysisSpec.DEFAULTS,
              RolloutOrigin.APPROVAL,
              actor == null ? e.approver() : actor,
              null,
              0,
              null);
      if (!starts.admitsApproval(request)) {
        continue;
      }
      var active = rollouts.activeFor(w.namespace(), w.name());
      if (active.isPresent() && !active.get().id.equals(request.id())) {
        starts.refuse(
            request,
            "workload "
                + w.namespace()
                + "/"
                + w.name()
                + " already has active rollout "
                + active.get().id);
      } else if (!"Deployment".equals(w.kind())) {
        starts.refuse(request, "only Deployments can be rolled out as canaries, not " + w.kind());
      } else {
        starts.start(request);
      }
    }
  }

  /**
   * Acts at once: the revert is armed in this transaction, and the engine is woken after it. The
   * alert is mapped to Deployments through the API ({@link AlertWorkloads}); {@link AlertRules}
   * decide whether it reverts, and an alert that does not is recorded ({@code
   * rollout.alert-ignored}).
   */
  private void alert(AlertReceived alert) {
    List<AlertWorkloads.Target> targets = alertWorkloads.of(alert.workload(), alert.labels());
    List<Rollout> hit =
        rollouts.revertibleFor(
            targets.stream().map(AlertWorkloads.Target::workload).toList(),
            targets.stream()
                .map(AlertWorkloads.Target::canaryOf)
                .filter(java.util.Objects::nonNull)
                .toList(),
            alert.ticketId());
    Map<String, String> labels = alert.labels() == null ? Map.of() : new TreeMap<>(alert.labels());
    for (Rollout r : hit) {
      String correlation =
          targets.stream()
              .filter(
                  t ->
                      r.id.equals(t.canaryOf())
                          || (t.workload().namespace().equals(r.namespace)
                              && t.workload().name().equals(r.deployment)))
              .map(AlertWorkloads.Target::via)
              .findFirst()
              .orElse("ticket " + alert.ticketId());
      AlertRules.Verdict verdict =
          AlertRules.judge(
              alert.severity(), alert.startsAt(), r.createdAt, rollouts.revertSeverities(r));
      if (!verdict.reverts()) {
        rollouts.alertIgnored(r, alert, correlation, verdict);
        continue;
      }
      rollouts.beginRevert(
          r.id,
          RevertTrigger.ALERT,
          "alert " + alert.alertName() + " firing for " + r.namespace + "/" + r.deployment,
          List.of(
              new AnalysisEvidence(
                  "alert:" + alert.source(),
                  alert.alertName() + " " + labels,
                  "firing since " + alert.startsAt(),
                  "no firing alert",
                  false),
              new AnalysisEvidence("alert-fingerprint", alert.fingerprint(), "firing", null, false),
              new AnalysisEvidence(
                  "alert-target",
                  correlation,
                  alert.severity() == null ? "no severity" : alert.severity().name(),
                  "reverting: " + rollouts.revertSeverities(r),
                  false)),
          Instant.now(),
          RolloutService.ACTOR);
    }
  }

  /**
   * From the approval's CloudEvents id, which every redelivery repeats: the same approval finds its
   * rollout, while a new approval of the same revision (after a refusal) starts a new one.
   */
  public static String eventRolloutId(String eventId, WorkloadRef w) {
    try {
      String key = eventId + "|" + w.namespace() + "|" + w.name();
      return "ro-"
          + HexFormat.of()
              .formatHex(
                  MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)))
              .substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException ex) {
      throw new IllegalStateException(ex);
    }
  }
}
