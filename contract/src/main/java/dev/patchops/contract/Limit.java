package dev.patchops.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How large a payload field may be; carried into the JSON Schema as {@code maxLength} and {@code
 * maxItems}/{@code maxProperties}, and so enforced on both sides at runtime. Kafka refuses a record
 * over 1 MiB, so every field whose size comes from outside is bounded, and the bounds are chosen so
 * that the largest legal event stays under that limit (see {@code EventSizeTest}).
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
}
