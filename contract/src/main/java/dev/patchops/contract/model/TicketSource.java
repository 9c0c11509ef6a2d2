package dev.patchops.contract.model;

/** How a ticket entered PatchOps. */
public enum TicketSource {
  REST,
  EVENT,
  ALERT
}
