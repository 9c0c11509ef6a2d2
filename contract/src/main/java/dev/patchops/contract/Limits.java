package dev.patchops.contract;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Fits a payload into its {@link Limit}s, so that a transition a service has already made (a revert
 * restored, pods evicted) is never refused at the outbox because of how long a text the service
 * produced itself turned out: an exception's message, Prometheus output, a node's pod list.
 *
 * <p>A string over its length keeps its start and ends in {@code … [truncated N chars]} (N the
 * characters cut, the result within the limit). A list over its items keeps its first items; a list
 * of strings ends in a {@code … [truncated N more items]} item instead. A map keeps its first
 * entries (a map of strings gets a {@code …} entry saying how many more there were), and its keys
 * are fitted like strings. Nested records are fitted the same way. Numbers are never changed, so a
 * count next to a cut list stays the honest count. A string with a {@link Pattern} (an image by
 * digest, a hash) is never cut: half of a reference is no reference, and the schema check refuses
 * it as it should.
 */
public final class Limits {
  private Limits() {}

  /**
   * The payload within its limits and what was cut ({@code evidence: 10000 -> 48 items}); the same
   * instance and no cuts when it was within them already.
   */
  public record Fitted<T>(T payload, List<String> cuts) {
    public boolean changed() {
      return !cuts.isEmpty();
    }
  }

  public static <T> Fitted<T> fit(T payload) {
    if (!(payload instanceof Record)) {
      throw new IllegalArgumentException("not a payload record: " + payload);
    }
    List<String> cuts = new ArrayList<>();
    T fitted = fitRecord(payload, "", cuts);
    return new Fitted<>(fitted, List.copyOf(cuts));
  }

  /** The marker a cut string ends with. */
  public static String truncatedMarker(long characters) {
    return "… [truncated " + characters + " chars]";
  }

  /** The item a cut list of strings ends with. */
  public static String truncatedItemsMarker(long items) {
    return "… [truncated " + items + " more items]";
  }

  @SuppressWarnings("unchecked")
  private static <T> T fitRecord(T record, String path, List<String> cuts) {
    RecordComponent[] components = record.getClass().getRecordComponents();
    Object[] values = new Object[components.length];
    boolean changed = false;
    for (int i = 0; i < components.length; i++) {
      RecordComponent component = components[i];
      Object value;
      try {
        value = component.getAccessor().invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        throw new IllegalStateException("cannot read " + path + component.getName(), e);
      }
      Limit limit = component.getAnnotation(Limit.class);
      Object fitted =
          fitValue(
              value,
              component.getGenericType(),
              limit != null ? limit.length() : -1,
              limit != null ? limit.items() : -1,
              component.getAnnotation(Pattern.class) != null,
              path + component.getName(),
              cuts);
      values[i] = fitted;
      changed |= fitted != value;
    }
    if (!changed) {
      return record;
    }
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
    }
    try {
      Constructor<?> canonical = record.getClass().getDeclaredConstructor(types);
      canonical.setAccessible(true);
      return (T) canonical.newInstance(values);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot rebuild " + record.getClass().getSimpleName(), e);
    }
  }

  /** The value itself when nothing in it was cut, so unchanged records are not rebuilt. */
  private static Object fitValue(
      Object value,
      Type type,
      int length,
      int items,
      boolean patterned,
      String path,
      List<String> cuts) {
    if (value == null) {
      return null;
    }
    if (value instanceof String text) {
      return patterned ? text : fitString(text, length, path, cuts);
    }
    if (value instanceof Record nested) {
      return fitRecord(nested, path + ".", cuts);
    }
    if (value instanceof Map<?, ?> map) {
      return fitMap(map, elementType(type, 1), length, items, path, cuts);
    }
    if (value instanceof Collection<?> collection) {
      return fitCollection(collection, elementType(type, 0), length, items, patterned, path, cuts);
    }
    return value;
  }

  private static String fitString(String text, int length, String path, List<String> cuts) {
    if (length < 0) {
      return text;
    }
    // maxLength counts code points, as JSON Schema does; a cut never splits a surrogate pair.
    int total = text.codePointCount(0, text.length());
    if (total <= length) {
      return text;
    }
    int keep = length - truncatedMarker(total).length();
    // the count it names is smaller than the total, and may have a digit less
    keep = length - truncatedMarker(total - keep).length();
    String fitted;
    if (keep <= 0) {
      fitted = text.substring(0, text.offsetByCodePoints(0, length));
    } else {
      fitted = text.substring(0, text.offsetByCodePoints(0, keep)) + truncatedMarker(total - keep);
    }
    cuts.add(path + ": " + total + " -> " + length + " characters");
    return fitted;
  }

  private static Object fitCollection(
      Collection<?> collection,
      Type element,
      int length,
      int items,
      boolean patterned,
      String path,
      List<String> cuts) {
    List<Object> out = new ArrayList<>();
    boolean changed = false;
    int keep = items >= 0 && collection.size() > items ? items : collection.size();
    boolean strings = element == String.class;
    String marker = null;
    if (keep < collection.size()) {
      changed = true;
      cuts.add(path + ": " + collection.size() + " -> " + items + " items");
      if (strings && items >= 2) {
        keep = items - 1;
        marker = fitString(truncatedItemsMarker(collection.size() - keep), length, path, cuts);
      }
    }
    int index = 0;
    for (Object item : collection) {
      if (index == keep) {
        break;
      }
      Object fitted = fitValue(item, element, length, -1, patterned, path + "[]", cuts);
      changed |= fitted != item;
      out.add(fitted);
      index++;
    }
    if (marker != null) {
      out.add(marker);
    }
    if (!changed) {
      return collection;
    }
    return collection instanceof Set<?> ? new LinkedHashSet<>(out) : out;
  }

  private static Object fitMap(
      Map<?, ?> map, Type valueType, int length, int items, String path, List<String> cuts) {
    Map<Object, Object> out = new LinkedHashMap<>();
    boolean changed = false;
    int keep = items >= 0 && map.size() > items ? items : map.size();
    boolean strings = valueType == String.class;
    boolean marked = false;
    if (keep < map.size()) {
      changed = true;
      cuts.add(path + ": " + map.size() + " -> " + items + " entries");
      if (strings && items >= 2) {
        keep = items - 1;
        marked = true;
      }
    }
    int index = 0;
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (index == keep) {
        break;
      }
      index++;
      Object key = entry.getKey();
      Object fittedKey = key instanceof String k ? fitString(k, length, path + "{key}", cuts) : key;
      Object fitted = fitValue(entry.getValue(), valueType, length, -1, false, path + "{}", cuts);
      changed |= fittedKey != key || fitted != entry.getValue();
      // Two long keys cut to the same start: the first stays, the second counts as cut.
      out.putIfAbsent(fittedKey, fitted);
    }
    if (marked) {
      String more = "[truncated " + (map.size() - keep) + " more entries]";
      out.put("…", fitString(more, length, path + "{}", cuts));
    }
    return changed ? out : map;
  }

  private static Type elementType(Type type, int argument) {
    if (type instanceof ParameterizedType parameterized) {
      Type[] args = parameterized.getActualTypeArguments();
      return args[Math.min(argument, args.length - 1)];
    }
    return Object.class;
  }
}
