package dev.patchops.contract;

/** Headers added to a record when it is moved to {@link Topics#DEAD_LETTER}. */
public final class DeadLetterHeaders {
  public static final String REASON = "patchops-dlq-reason";
  public static final String ERROR_CLASS = "patchops-dlq-error";
  public static final String ORIGINAL_TOPIC = "patchops-dlq-topic";
  public static final String ORIGINAL_PARTITION = "patchops-dlq-partition";
  public static final String ORIGINAL_OFFSET = "patchops-dlq-offset";
  public static final String CONSUMER = "patchops-dlq-consumer";
  public static final String ATTEMPTS = "patchops-dlq-attempts";

  private DeadLetterHeaders() {}
}
