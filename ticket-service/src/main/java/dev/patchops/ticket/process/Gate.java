package dev.patchops.ticket.process;

import java.util.Arrays;
import java.util.List;

/**
 * Every gate of the process the ticket-service keeps. The id is the {@code gate} of a {@code
 * GateRefused} event and, prefixed with {@code gate-}, the problem type of a 403 or 409. The table
 * in docs/architecture.md lists these, and a test keeps the two in step.
 */
public enum Gate {
  STATE("state", "all", "The ticket's state allows the action (the state machine)."),
  ROOT_CAUSE(
      "root-cause",
      "propose, hardware fix, approve",
      "A fix (patch revision or hardware fix) needs a recorded root cause."),
  ROOT_CAUSE_EVIDENCE(
      "root-cause-evidence",
      "record root cause",
      "A root cause cites at least one diagnostic of its own ticket."),
  TARGET_NAMESPACE(
      "target-namespace", "propose", "A patch targets workloads in the ticket's namespace only."),
  TESTS_PASSED(
      "tests-passed", "approve", "The revision passed its tests; an emergency never skips them."),
  APPROVER_ROLE(
      "approver-role",
      "approve, approve hardware fix",
      "A normal approval needs role approver or admin."),
  EMERGENCY_ROLE("emergency-role", "approve", "An emergency change needs role sre or admin."),
  EMERGENCY_REASON("emergency-reason", "approve", "An emergency change states its reason."),
  SEPARATION_OF_DUTIES(
      "separation-of-duties",
      "approve, approve hardware fix, review emergency",
      "Nobody approves their own work: not the author of a revision, not the author of a hardware"
          + " fix or the equipment's assignee; an emergency is reviewed by a third person."),
  CHANGE_FREEZE(
      "change-freeze",
      "approve (start rollout)",
      "No normal approval, and so no rollout started from one, while a freeze window is active."),
  EQUIPMENT_LOCK(
      "equipment-lock",
      "open ticket, diagnostics, root cause, hardware fix, manual release",
      "An open hardware ticket locks its equipment to the assignee (or an admin)."),
  NODE_QUARANTINED(
      "node-quarantined",
      "hardware fix, manual release",
      "A burn-in runs, and a manual release applies, only on a node the rollout-service"
          + " confirmed quarantined."),
  BURN_IN_PASSED(
      "burn-in-passed",
      "approve hardware fix",
      "A hardware fix is approved only after its burn-in passed."),
  RELEASE_REASON("release-reason", "manual release", "A plan-B manual release states its reason."),
  MANUAL_RELEASE_ONCE(
      "manual-release-once", "manual release", "A ticket's node is released by hand once at most.");

  private final String id;
  private final String actions;
  private final String rule;

  Gate(String id, String actions, String rule) {
    this.id = id;
    this.actions = actions;
    this.rule = rule;
  }

  public String id() {
    return id;
  }

  /** The actions whose policy checks this gate, for the documentation. */
  public String actions() {
    return actions;
  }

  public String rule() {
    return rule;
  }

  /** The Markdown table of docs/architecture.md, generated from this enum. */
  public static List<String> markdownTable() {
    return java.util.stream.Stream.concat(
            java.util.stream.Stream.of("| Gate | Checked on | Rule |", "|---|---|---|"),
            Arrays.stream(values())
                .map(g -> "| `" + g.id + "` | " + g.actions + " | " + g.rule + " |"))
        .toList();
  }
}
