package dev.patchops.contract;

/**
 * SmallRye Reactive Messaging channel names for consumers. Each channel is named after its topic,
 * so the Kafka connector reads that topic with no per-service mapping to get wrong.
 */
public final class Channels {
  public static final String TICKETS_IN = Topics.TICKETS;
  public static final String TESTS_IN = Topics.TESTS;
  public static final String ROLLOUTS_IN = Topics.ROLLOUTS;
  public static final String ALERTS_IN = Topics.ALERTS;
  public static final String DEAD_LETTER_IN = Topics.DEAD_LETTER;

  /**
   * The audit-service's one batch channel over every topic but its own: the chain needs a single
   * ordered writer, not one consumer per topic.
   */
  public static final String AUDIT_TRAIL_IN = "patchops-audit-trail";

  private Channels() {}
}
