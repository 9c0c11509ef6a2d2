package dev.patchops.platform.messaging;

import dev.patchops.contract.EventType;

/**
 * A record whose {@code ce_source} is not the contract's producer of its type: forged, or
 * misrouted. Poison like any other, but counted on its own, since it may be an attack.
 */
public class UntrustedSourceException extends PoisonMessageException {
  private final transient EventType type;

  public UntrustedSourceException(EventType type, String reason) {
    super(reason);
    this.type = type;
  }

  public EventType type() {
    return type;
  }
}
