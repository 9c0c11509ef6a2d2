package dev.patchops.contract.model;

/** Software problems concern a Kubernetes workload; hardware problems a piece of equipment. */
public enum TicketKind {
  SOFTWARE,
  HARDWARE
}
