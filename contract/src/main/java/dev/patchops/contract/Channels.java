package dev.patchops.contract;

/**
 * SmallRye Reactive Messaging channel names. A channel name is bound to its topic in each service's
 * configuration; keeping the names here stops two services from disagreeing about them.
 */
public final class Channels {
  public static final String TICKETS_IN = "tickets-in";
  public static final String TESTS_IN = "tests-in";
  public static final String ROLLOUTS_IN = "rollouts-in";
  public static final String ALERTS_IN = "alerts-in";
  public static final String DEAD_LETTER_IN = "dead-letter-in";

  private Channels() {}
}
