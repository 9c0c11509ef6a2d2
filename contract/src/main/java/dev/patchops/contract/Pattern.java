package dev.patchops.contract;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** A regular expression that a string field must match; it is carried into the JSON Schema. */
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.RECORD_COMPONENT,
  ElementType.FIELD,
  ElementType.PARAMETER,
  ElementType.METHOD
})
public @interface Pattern {
  String value();

  String SHA1_COMMIT = "^[0-9a-f]{40}$";
  String SHA256_HEX = "^[0-9a-f]{64}$";
  String IMAGE_BY_DIGEST = "^[^\\s@]+@sha256:[0-9a-f]{64}$";
}
