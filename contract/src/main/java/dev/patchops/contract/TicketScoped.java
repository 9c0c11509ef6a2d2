package dev.patchops.contract;

/** An event that always belongs to a ticket. */
public interface TicketScoped extends PatchOpsEvent {
  String ticketId();

  @Override
  default String partitionKey() {
    return ticketId();
  }
}
