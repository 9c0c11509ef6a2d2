package dev.patchops.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How large a payload field may be; carried into the JSON Schema as {@code maxLength} and {@code
 * maxItems}/{@code maxProperties}, and so enforced on both sides at runtime. Kafka refuses a record
 * over 1 MiB, so every field of variable size is bounded (a test fails on one that is not), and the
 * bounds are chosen so that the largest legal event stays under that limit (see {@code
 * EventSizeTest}). What a service produces itself is fitted into them before it is published
 * ({@link Limits#fit}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.RECORD_COMPONENT,
  ElementType.FIELD,
  ElementType.PARAMETER,
  ElementType.METHOD
})
public @interface Limit {
  /** Characters of a string, or of each string of a list, or of each key and value of a map. */
  int length() default -1;

  /** Items of a list, or entries of a map. */
  int items() default -1;

  /**
   * An id: made up by a service (ticket, rollout, run, window) or taken by REST (equipment: 100).
   */
  int ID = 128;

  /** A Kubernetes object name (a DNS-1123 subdomain), or {@code namespace/name} of one. */
  int K8S_NAME = 253;

  /** Who did it: a user name from a token, or a service's name for its own steps. */
  int ACTOR = 256;

  /** A word from a small vocabulary: a gate, a command, an action, an algorithm, a field name. */
  int WORD = 128;

  /** A container image reference, as REST takes it. */
  int IMAGE = 600;

  /** A reason, message or note: a user's (REST takes 2,000 to 4,000) or built by a service. */
  int TEXT = 4_000;
}
