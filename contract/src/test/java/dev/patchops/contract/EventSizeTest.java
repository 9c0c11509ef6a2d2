package dev.patchops.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.schema.PayloadSchemas;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The largest event a legal input can produce stays under Kafka's record limit (1 MiB, less room
 * for the key and the CloudEvents headers). Every bounded field is filled to its {@link Limit} with
 * U+0001, whose JSON form (a backslash-u escape) is the longest a character can take: six bytes.
 */
class EventSizeTest {
  static final int KAFKA_RECORD_LIMIT = 1024 * 1024;
  static final int HEADROOM = 16 * 1024;

  /**
   * Events whose size is not set by the schema alone: a test run's results come from the suites'
   * own output, which the test-orchestrator fits into a byte budget before it publishes (its
   * AnalyticsBudget, tested there with the largest log and JUnit report a suite can print).
   */
  static final Set<Class<?>> BOUNDED_BY_THEIR_PRODUCER = Set.of(TestRunCompleted.class);

  @Test
  void theLargestLegalEventOfEveryTypeFitsInOneKafkaRecord() throws Exception {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (EventType type : EventType.values()) {
      if (BOUNDED_BY_THEIR_PRODUCER.contains(type.payloadType())) {
        continue;
      }
      Object worst = build(type.payloadType(), null);
      int bytes = ContractJson.mapper().writeValueAsBytes(worst).length;
      sizes.put(type.type(), bytes);
    }
    assertThat(sizes)
        .allSatisfy(
            (type, bytes) -> assertThat(bytes).as(type).isLessThan(KAFKA_RECORD_LIMIT - HEADROOM));
  }

  /**
   * A new field of variable size without a bound would make the size test above prove nothing about
   * it (it fills unbounded fields with 64 characters or one item).
   */
  @Test
  void everyStringListAndMapOfEveryEventHasALimit() {
    List<String> unbounded = new ArrayList<>();
    for (EventType type : EventType.values()) {
      if (!BOUNDED_BY_THEIR_PRODUCER.contains(type.payloadType())) {
        unboundedIn(type.payloadType(), type.type() + ": ", unbounded);
      }
    }
    assertThat(unbounded).as("fields without @Limit").isEmpty();
  }

  private static void unboundedIn(Class<?> record, String path, List<String> unbounded) {
    for (RecordComponent component : record.getRecordComponents()) {
      unboundedIn(
          component.getGenericType(),
          component.getAnnotation(Limit.class),
          path + component.getName(),
          unbounded);
    }
  }

  private static void unboundedIn(Type type, Limit limit, String path, List<String> unbounded) {
    boolean length = limit != null && limit.length() >= 0;
    boolean items = limit != null && limit.items() >= 0;
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type[] args = parameterized.getActualTypeArguments();
      boolean map = Map.class.isAssignableFrom(raw);
      Type element = args[map ? 1 : 0];
      if (!items) {
        unbounded.add(path + " (items)");
      }
      if (map && !length) {
        unbounded.add(path + " (length of the keys)");
      }
      if (element == String.class) {
        if (!length && !map) {
          unbounded.add(path + "[] (length)");
        }
      } else if (element instanceof Class<?> cls && cls.isRecord()) {
        unboundedIn(cls, path + "[].", unbounded);
      } else if (element instanceof ParameterizedType) {
        unbounded.add(path + " (a collection of collections: bound it by a record)");
      }
      return;
    }
    Class<?> cls = (Class<?>) type;
    if (cls == String.class && !length) {
      unbounded.add(path + " (length)");
    } else if (cls.isRecord()) {
      unboundedIn(cls, path + ".", unbounded);
    } else if (cls.isArray() || Collection.class.isAssignableFrom(cls)) {
      unbounded.add(path + " (a raw collection or array)");
    }
  }

  @Test
  void theFourInputsOfTheIssueAreBoundedInTheSchemas() {
    // a revision with 20 suites of 50 long arguments: the schema allows no such suite
    var suite =
        PayloadSchemas.schemaFor(EventType.PATCH_PROPOSED)
            .at("/properties/testSuites/items/properties/command");
    assertThat(suite.path("maxItems").asInt()).isEqualTo(20);
    assertThat(suite.at("/items/maxLength").asInt()).isEqualTo(256);
    var alert = PayloadSchemas.schemaFor(EventType.ALERT_RECEIVED).at("/properties/labels");
    assertThat(alert.path("maxProperties").asInt()).isEqualTo(64);
    assertThat(alert.at("/additionalProperties/maxLength").asInt()).isEqualTo(512);
    assertThat(alert.at("/propertyNames/maxLength").asInt()).isEqualTo(512);
    var refs =
        PayloadSchemas.schemaFor(EventType.ROOT_CAUSE_RECORDED).at("/properties/evidenceRefs");
    assertThat(refs.path("maxItems").asInt()).isEqualTo(100);
    assertThat(refs.at("/items/maxLength").asInt()).isEqualTo(512);
    var tail =
        PayloadSchemas.schemaFor(EventType.TEST_RUN_COMPLETED)
            .at("/properties/analytics/properties/suites/items/properties/logTail");
    assertThat(tail.path("maxLength").asInt()).isEqualTo(65_536);
  }

  /** A value for one field: filled to its limit where it has one, small where it has none. */
  private static Object value(Type type, Limit limit) throws Exception {
    int length = limit != null && limit.length() >= 0 ? limit.length() : 64;
    int items = limit != null && limit.items() >= 0 ? limit.items() : 1;
    if (type instanceof ParameterizedType parameterized) {
      Class<?> raw = (Class<?>) parameterized.getRawType();
      Type element = parameterized.getActualTypeArguments()[raw == Map.class ? 1 : 0];
      if (List.class.isAssignableFrom(raw)) {
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < items; i++) {
          list.add(value(element, limit));
        }
        return list;
      }
      Map<String, Object> map = new LinkedHashMap<>();
      for (int i = 0; i < items; i++) {
        // distinct keys of the full length
        String key = String.format("%06d", i) + worstText(length - 6);
        map.put(key, value(element, limit));
      }
      return map;
    }
    Class<?> cls = (Class<?>) type;
    if (cls == String.class) {
      return worstText(length);
    } else if (cls == UUID.class) {
      return UUID.randomUUID();
    } else if (cls == Instant.class) {
      return Instant.parse("2026-12-05T10:15:30.123456789Z");
    } else if (cls == int.class || cls == Integer.class) {
      return Integer.MIN_VALUE;
    } else if (cls == long.class || cls == Long.class) {
      return Long.MIN_VALUE;
    } else if (cls == double.class || cls == Double.class) {
      return -Double.MAX_VALUE;
    } else if (cls == boolean.class || cls == Boolean.class) {
      return Boolean.FALSE;
    } else if (cls.isEnum()) {
      Object longest = null;
      for (Object constant : cls.getEnumConstants()) {
        if (longest == null || constant.toString().length() > longest.toString().length()) {
          longest = constant;
        }
      }
      return longest;
    } else if (cls.isRecord()) {
      return build(cls, limit);
    }
    throw new IllegalArgumentException("unsupported " + cls);
  }

  private static Object build(Class<?> recordType, Limit ignored) throws Exception {
    RecordComponent[] components = recordType.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      args[i] = value(components[i].getGenericType(), components[i].getAnnotation(Limit.class));
    }
    Constructor<?> constructor = recordType.getDeclaredConstructor(types);
    return constructor.newInstance(args);
  }

  private static String worstText(int length) {
    return "\u0001".repeat(Math.max(0, length));
  }

  @Test
  void theWorstCharacterTakesSixBytes() throws Exception {
    assertThat(
            ContractJson.mapper().writeValueAsString(worstText(1)).getBytes(StandardCharsets.UTF_8))
        .hasSize(8); // the quotes and \u0001
  }
}
