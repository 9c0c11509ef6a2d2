package dev.patchops.contract;

import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.AlertResolved;
import dev.patchops.contract.events.AuditCheckpointSigned;
import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.CanaryStepFailed;
import dev.patchops.contract.events.CanaryStepPassed;
import dev.patchops.contract.events.CanaryStepStarted;
import dev.patchops.contract.events.CheckpointRecorded;
import dev.patchops.contract.events.DiagnosticAdded;
import dev.patchops.contract.events.EmergencyChangeReviewed;
import dev.patchops.contract.events.EquipmentReassigned;
import dev.patchops.contract.events.EquipmentRegistered;
import dev.patchops.contract.events.FreezeWindowCreated;
import dev.patchops.contract.events.FreezeWindowDeleted;
import dev.patchops.contract.events.GateRefused;
import dev.patchops.contract.events.HardwareFixApproved;
import dev.patchops.contract.events.HardwareLockTransferred;
import dev.patchops.contract.events.HardwareManualReleaseRequested;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.events.NodeDrainBlocked;
import dev.patchops.contract.events.NodeDrained;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.events.PatchProposed;
import dev.patchops.contract.events.PatchRejected;
import dev.patchops.contract.events.QuarantineBreached;
import dev.patchops.contract.events.RevertCompleted;
import dev.patchops.contract.events.RolloutAlertIgnored;
import dev.patchops.contract.events.RolloutControlled;
import dev.patchops.contract.events.RolloutNotStarted;
import dev.patchops.contract.events.RolloutPromoted;
import dev.patchops.contract.events.RolloutReverted;
import dev.patchops.contract.events.RolloutStartRefused;
import dev.patchops.contract.events.RootCauseRecorded;
import dev.patchops.contract.events.TestEnvironmentDeleted;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRerunRequested;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRefused;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.events.TicketClosed;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.events.TicketReopened;
import dev.patchops.contract.events.TicketResolved;
import dev.patchops.contract.events.WatchWindowPassed;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The catalogue of PatchOps events: CloudEvents type, topic, payload record and producer. The
 * schemas, the AsyncAPI document and the architecture table are all derived from this one list.
 */
public enum EventType {
  TICKET_OPENED("ticket.opened", Topics.TICKETS, TicketOpened.class, Producer.TICKET_SERVICE),
  DIAGNOSTIC_ADDED(
      "ticket.diagnostic-added", Topics.TICKETS, DiagnosticAdded.class, Producer.TICKET_SERVICE),
  ROOT_CAUSE_RECORDED(
      "ticket.root-cause-recorded",
      Topics.TICKETS,
      RootCauseRecorded.class,
      Producer.TICKET_SERVICE),
  PATCH_PROPOSED(
      "ticket.patch-proposed", Topics.TICKETS, PatchProposed.class, Producer.TICKET_SERVICE),
  PATCH_APPROVED(
      "ticket.patch-approved", Topics.TICKETS, PatchApproved.class, Producer.TICKET_SERVICE),
  PATCH_REJECTED(
      "ticket.patch-rejected", Topics.TICKETS, PatchRejected.class, Producer.TICKET_SERVICE),
  GATE_REFUSED("ticket.gate-refused", Topics.TICKETS, GateRefused.class, Producer.TICKET_SERVICE),
  HARDWARE_QUARANTINE_REQUESTED(
      "ticket.hardware-quarantine-requested",
      Topics.TICKETS,
      HardwareQuarantineRequested.class,
      Producer.TICKET_SERVICE),
  TICKET_RESOLVED("ticket.resolved", Topics.TICKETS, TicketResolved.class, Producer.TICKET_SERVICE),
  TICKET_REOPENED("ticket.reopened", Topics.TICKETS, TicketReopened.class, Producer.TICKET_SERVICE),
  TICKET_CLOSED("ticket.closed", Topics.TICKETS, TicketClosed.class, Producer.TICKET_SERVICE),
  EMERGENCY_CHANGE_REVIEWED(
      "ticket.emergency-change-reviewed",
      Topics.TICKETS,
      EmergencyChangeReviewed.class,
      Producer.TICKET_SERVICE),
  FREEZE_WINDOW_CREATED(
      "ticket.freeze-window-created",
      Topics.TICKETS,
      FreezeWindowCreated.class,
      Producer.TICKET_SERVICE),
  FREEZE_WINDOW_DELETED(
      "ticket.freeze-window-deleted",
      Topics.TICKETS,
      FreezeWindowDeleted.class,
      Producer.TICKET_SERVICE),
  EQUIPMENT_REGISTERED(
      "ticket.equipment-registered",
      Topics.TICKETS,
      EquipmentRegistered.class,
      Producer.TICKET_SERVICE),
  EQUIPMENT_REASSIGNED(
      "ticket.equipment-reassigned",
      Topics.TICKETS,
      EquipmentReassigned.class,
      Producer.TICKET_SERVICE),
  HARDWARE_LOCK_TRANSFERRED(
      "ticket.hardware-lock-transferred",
      Topics.TICKETS,
      HardwareLockTransferred.class,
      Producer.TICKET_SERVICE),
  HARDWARE_FIX_APPROVED(
      "ticket.hardware-fix-approved",
      Topics.TICKETS,
      HardwareFixApproved.class,
      Producer.TICKET_SERVICE),
  HARDWARE_MANUAL_RELEASE_REQUESTED(
      "ticket.hardware-manual-release-requested",
      Topics.TICKETS,
      HardwareManualReleaseRequested.class,
      Producer.TICKET_SERVICE),

  TEST_RUN_REQUESTED(
      "test.run-requested", Topics.TESTS, TestRunRequested.class, Producer.TICKET_SERVICE),
  BURN_IN_REQUESTED(
      "test.burn-in-requested", Topics.TESTS, BurnInRequested.class, Producer.TICKET_SERVICE),
  TEST_ENVIRONMENT_READY(
      "test.environment-ready",
      Topics.TESTS,
      TestEnvironmentReady.class,
      Producer.TEST_ORCHESTRATOR),
  TEST_RUN_COMPLETED(
      "test.run-completed", Topics.TESTS, TestRunCompleted.class, Producer.TEST_ORCHESTRATOR),
  TEST_ENVIRONMENT_DELETED(
      "test.environment-deleted",
      Topics.TESTS,
      TestEnvironmentDeleted.class,
      Producer.TEST_ORCHESTRATOR),
  TEST_RERUN_REQUESTED(
      "test.rerun-requested", Topics.TESTS, TestRerunRequested.class, Producer.TEST_ORCHESTRATOR),
  TEST_RUN_REFUSED(
      "test.run-refused", Topics.TESTS, TestRunRefused.class, Producer.TEST_ORCHESTRATOR),

  CHECKPOINT_RECORDED(
      "rollout.checkpoint-recorded",
      Topics.ROLLOUTS,
      CheckpointRecorded.class,
      Producer.ROLLOUT_SERVICE),
  CANARY_STEP_STARTED(
      "rollout.canary-step-started",
      Topics.ROLLOUTS,
      CanaryStepStarted.class,
      Producer.ROLLOUT_SERVICE),
  CANARY_STEP_PASSED(
      "rollout.canary-step-passed",
      Topics.ROLLOUTS,
      CanaryStepPassed.class,
      Producer.ROLLOUT_SERVICE),
  CANARY_STEP_FAILED(
      "rollout.canary-step-failed",
      Topics.ROLLOUTS,
      CanaryStepFailed.class,
      Producer.ROLLOUT_SERVICE),
  ROLLOUT_PROMOTED(
      "rollout.promoted", Topics.ROLLOUTS, RolloutPromoted.class, Producer.ROLLOUT_SERVICE),
  ROLLOUT_REVERTED(
      "rollout.reverted", Topics.ROLLOUTS, RolloutReverted.class, Producer.ROLLOUT_SERVICE),
  REVERT_COMPLETED(
      "rollout.revert-completed", Topics.ROLLOUTS, RevertCompleted.class, Producer.ROLLOUT_SERVICE),
  WATCH_WINDOW_PASSED(
      "rollout.watch-window-passed",
      Topics.ROLLOUTS,
      WatchWindowPassed.class,
      Producer.ROLLOUT_SERVICE),
  ROLLOUT_NOT_STARTED(
      "rollout.not-started", Topics.ROLLOUTS, RolloutNotStarted.class, Producer.ROLLOUT_SERVICE),
  ROLLOUT_START_REFUSED(
      "rollout.start-refused",
      Topics.ROLLOUTS,
      RolloutStartRefused.class,
      Producer.ROLLOUT_SERVICE),
  ROLLOUT_CONTROLLED(
      "rollout.control-applied",
      Topics.ROLLOUTS,
      RolloutControlled.class,
      Producer.ROLLOUT_SERVICE),
  ROLLOUT_ALERT_IGNORED(
      "rollout.alert-ignored",
      Topics.ROLLOUTS,
      RolloutAlertIgnored.class,
      Producer.ROLLOUT_SERVICE),
  HARDWARE_QUARANTINED(
      "rollout.hardware-quarantined",
      Topics.ROLLOUTS,
      HardwareQuarantined.class,
      Producer.ROLLOUT_SERVICE),
  HARDWARE_QUARANTINE_RELEASED(
      "rollout.hardware-quarantine-released",
      Topics.ROLLOUTS,
      HardwareQuarantineReleased.class,
      Producer.ROLLOUT_SERVICE),
  NODE_DRAINED(
      "rollout.node-drained", Topics.ROLLOUTS, NodeDrained.class, Producer.ROLLOUT_SERVICE),
  NODE_DRAIN_BLOCKED(
      "rollout.node-drain-blocked",
      Topics.ROLLOUTS,
      NodeDrainBlocked.class,
      Producer.ROLLOUT_SERVICE),
  QUARANTINE_BREACHED(
      "rollout.quarantine-breached",
      Topics.ROLLOUTS,
      QuarantineBreached.class,
      Producer.ROLLOUT_SERVICE),

  ALERT_RECEIVED("alert.received", Topics.ALERTS, AlertReceived.class, Producer.TICKET_SERVICE),
  ALERT_RESOLVED("alert.resolved", Topics.ALERTS, AlertResolved.class, Producer.TICKET_SERVICE),

  AUDIT_CHECKPOINT_SIGNED(
      "audit.checkpoint-signed", Topics.AUDIT, AuditCheckpointSigned.class, Producer.AUDIT_SERVICE);

  /** Producers are CloudEvents sources: {@code /patchops/<service>}. */
  public enum Producer {
    TICKET_SERVICE("ticket-service"),
    TEST_ORCHESTRATOR("test-orchestrator"),
    ROLLOUT_SERVICE("rollout-service"),
    AUDIT_SERVICE("audit-service");

    private final String serviceName;

    Producer(String serviceName) {
      this.serviceName = serviceName;
    }

    public String serviceName() {
      return serviceName;
    }

    public String source() {
      return EventType.source(serviceName);
    }
  }

  public static final String TYPE_PREFIX = "dev.patchops.";
  public static final String VERSION_SUFFIX = ".v1";
  public static final String SCHEMA_BASE_URI = "https://patchops.dev/schemas/";
  public static final String SCHEMA_RESOURCE_DIR = "dev/patchops/contract/schemas/";

  private static final Map<String, EventType> BY_TYPE =
      Arrays.stream(values()).collect(Collectors.toMap(EventType::type, Function.identity()));
  private static final Map<Class<?>, EventType> BY_PAYLOAD =
      Arrays.stream(values())
          .collect(Collectors.toMap(EventType::payloadType, Function.identity()));

  private final String type;
  private final String topic;
  private final Class<? extends PatchOpsEvent> payloadType;
  private final Producer producer;

  EventType(
      String name, String topic, Class<? extends PatchOpsEvent> payloadType, Producer producer) {
    this.type = TYPE_PREFIX + name + VERSION_SUFFIX;
    this.topic = topic;
    this.payloadType = payloadType;
    this.producer = producer;
  }

  /** The CloudEvents {@code type}, e.g. {@code dev.patchops.ticket.opened.v1}. */
  public String type() {
    return type;
  }

  public String topic() {
    return topic;
  }

  public Class<? extends PatchOpsEvent> payloadType() {
    return payloadType;
  }

  public Producer producer() {
    return producer;
  }

  /** The CloudEvents {@code dataschema}. */
  public String dataSchema() {
    return SCHEMA_BASE_URI + type + ".json";
  }

  /** Where the JSON Schema sits on the classpath of this module. */
  public String schemaResource() {
    return SCHEMA_RESOURCE_DIR + type + ".json";
  }

  /** The CloudEvents {@code source} of a PatchOps service: {@code /patchops/<service>}. */
  public static String source(String serviceName) {
    return "/patchops/" + serviceName;
  }

  public static Optional<EventType> fromType(String type) {
    return Optional.ofNullable(type).map(BY_TYPE::get);
  }

  public static EventType forPayload(PatchOpsEvent payload) {
    EventType found = BY_PAYLOAD.get(payload.getClass());
    if (found == null) {
      throw new IllegalArgumentException(
          "no event type for payload " + payload.getClass().getSimpleName());
    }
    return found;
  }
}
