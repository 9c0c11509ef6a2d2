package dev.patchops.platform.messaging;

/**
 * The effect of an event. It runs inside the transaction that also records the event in the inbox,
 * so it must write through the database (and the {@link Outbox}) only.
 */
@FunctionalInterface
public interface EventHandler {
  void handle(IncomingEvent event) throws Exception;
}
