package dev.patchops.contract;

/** Kafka topic names. Every producer and consumer refers to these constants, never to literals. */
public final class Topics {
  public static final String TICKETS = "patchops.tickets";
  public static final String TESTS = "patchops.tests";
  public static final String ROLLOUTS = "patchops.rollouts";
  public static final String ALERTS = "patchops.alerts";
  public static final String DEAD_LETTER = "patchops.dead-letter";

  /** Signed heads of the audit chain, kept by anyone who wants to check the audit-service later. */
  public static final String AUDIT = "patchops.audit";

  public static final java.util.List<String> ALL =
      java.util.List.of(TICKETS, TESTS, ROLLOUTS, ALERTS, DEAD_LETTER, AUDIT);

  private Topics() {}
}
