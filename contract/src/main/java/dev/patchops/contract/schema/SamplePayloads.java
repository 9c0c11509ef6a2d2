package dev.patchops.contract.schema;

import dev.patchops.contract.EventType;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.PatchOpsEvent;
import dev.patchops.contract.Pattern;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Builds a fully populated example of any payload record, by reflection. Used for the examples in
 * the AsyncAPI document and by tests that must cover every event type without listing them.
 */
public final class SamplePayloads {
  public static final Instant SAMPLE_TIME = Instant.parse("2026-01-15T10:15:30Z");
  public static final String SAMPLE_TICKET = "TCK-1001";

  private SamplePayloads() {}

  /** Every field set, optional ones included. */
  public static PatchOpsEvent full(EventType type) {
    return type.payloadType().cast(build(type.payloadType(), true));
  }

  /** Optional fields left null: the smallest valid payload. */
  public static PatchOpsEvent minimal(EventType type) {
    return type.payloadType().cast(build(type.payloadType(), false));
  }

  private static Object build(Class<?> recordType, boolean withOptional) {
    RecordComponent[] components = recordType.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      types[i] = c.getType();
      boolean optional = c.getAnnotation(Nullable.class) != null;
      args[i] =
          optional && !withOptional
              ? null
              : value(
                  c.getName(), c.getGenericType(), c.getAnnotation(Pattern.class), withOptional);
    }
    try {
      Constructor<?> constructor = recordType.getDeclaredConstructor(types);
      return constructor.newInstance(args);
    } catch (NoSuchMethodException
        | InstantiationException
        | IllegalAccessException
        | InvocationTargetException e) {
      throw new IllegalStateException("cannot build sample of " + recordType.getName(), e);
    }
  }

  private static Object value(String name, Type type, Pattern pattern, boolean withOptional) {
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] args = parameterized.getActualTypeArguments();
      if (List.class.isAssignableFrom(raw)) {
        return List.of(value(name, args[0], null, withOptional));
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Map.of("key", value(name, args[1], null, withOptional));
      }
      throw new IllegalArgumentException("unsupported " + type);
    }
    Class<?> cls = (Class<?>) type;
    if (cls == String.class) {
      return stringValue(name, pattern);
    } else if (cls == UUID.class) {
      return UUID.nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } else if (cls == Instant.class) {
      return SAMPLE_TIME;
    } else if (cls == int.class || cls == Integer.class) {
      return 2;
    } else if (cls == long.class || cls == Long.class) {
      return 1500L;
    } else if (cls == double.class || cls == Double.class) {
      return 0.25d;
    } else if (cls == boolean.class || cls == Boolean.class) {
      return Boolean.TRUE;
    } else if (cls.isEnum()) {
      return cls.getEnumConstants()[0];
    } else if (cls.isRecord()) {
      return build(cls, withOptional);
    }
    throw new IllegalArgumentException("unsupported " + cls);
  }

  private static String stringValue(String name, Pattern pattern) {
    if (pattern != null) {
      return switch (pattern.value()) {
        case Pattern.SHA1_COMMIT -> "3f786850e387550fdab836ed7e6dc881de23001b";
        case Pattern.SHA256_HEX ->
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        case Pattern.IMAGE_BY_DIGEST ->
            "registry.example.com/shop/checkout@sha256:"
                + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        default -> throw new IllegalArgumentException("no sample for pattern " + pattern.value());
      };
    }
    return name.equals("ticketId") ? SAMPLE_TICKET : "sample-" + name;
  }
}
