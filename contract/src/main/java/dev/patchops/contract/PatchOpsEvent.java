package dev.patchops.contract;

/** A payload of one of the {@link EventType}s. */
public interface PatchOpsEvent {

  /**
   * The Kafka record key. It is the ticket id wherever there is a ticket, so that all events of one
   * ticket land on one partition and stay ordered.
   */
  String partitionKey();
}
