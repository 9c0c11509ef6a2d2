package dev.patchops.platform.rest;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Query parameters are read as strings and converted here: JAX-RS turns a failed conversion into a
 * bare 404, while a client deserves a 400 that names the parameter and what it accepts.
 */
public final class QueryParams {
  private QueryParams() {}

  public static <E extends Enum<E>> E enumValue(String name, String value, Class<E> type) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(
          name,
          "must be one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(Enum::name)
                  .collect(Collectors.joining(", ")));
    }
  }

  public static int intValue(String name, String value, int defaultValue, int min, int max) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name, "must be a whole number");
    }
    if (parsed < min || parsed > max) {
      throw ApiException.badRequest(name, "must be between " + min + " and " + max);
    }
    return parsed;
  }

  public static long longValue(String name, String value, long defaultValue, long min) {
    if (value == null || value.isBlank()) {
      return defaultValue;
    }
    long parsed;
    try {
      parsed = Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(name, "must be a whole number");
    }
    if (parsed < min) {
      throw ApiException.badRequest(name, "must be at least " + min);
    }
    return parsed;
  }

  /** An RFC 3339 timestamp such as {@code 2026-11-26T10:15:30Z}, or null when absent. */
  public static java.time.Instant instantValue(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(value.trim()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw ApiException.badRequest(
          name, "must be an RFC 3339 timestamp, e.g. 2026-11-26T10:15:30Z");
    }
  }
}
