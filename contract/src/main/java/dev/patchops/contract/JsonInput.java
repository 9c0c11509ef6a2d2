package dev.patchops.contract;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.IOException;

/**
 * What JSON from outside may carry, for every reader of it (REST bodies, alert hooks, events):
 *
 * <ul>
 *   <li>a value of the wrong JSON type is refused, never coerced: {@code "id": 12345} is not the
 *       string "12345", {@code "count": "5"} is not 5, {@code "enabled": 1} is not true;
 *   <li>text with the NUL character (U+0000) is refused where it is read, with its field:
 *       PostgreSQL cannot store it, so it would otherwise fail later, as a server error, and
 *       Alertmanager retries a server error for ever.
 * </ul>
 */
public final class JsonInput {
  private JsonInput() {}

  /** Applies both rules to {@code mapper}; returns it. */
  public static ObjectMapper strict(ObjectMapper mapper) {
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    for (LogicalType number : new LogicalType[] {LogicalType.Integer, LogicalType.Float}) {
      mapper
          .coercionConfigFor(number)
          .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
          .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    }
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Boolean)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
    SimpleModule text = new SimpleModule("patchops-json-input");
    text.addDeserializer(String.class, new NulFreeString());
    text.addKeyDeserializer(String.class, new NulFreeKey());
    return mapper.registerModule(text);
  }

  /** A value refused for a character it carries; {@link #reason()} says which. */
  public static final class UnsafeText extends InvalidFormatException {
    private static final long serialVersionUID = 1L;

    UnsafeText(JsonParser parser, String value) {
      super(parser, REASON, value, String.class);
    }

    public String reason() {
      return REASON;
    }
  }

  static final String REASON = "must not contain the NUL character (U+0000)";

  static boolean hasNul(String value) {
    return value != null && value.indexOf('\0') >= 0;
  }

  private static final class NulFreeString extends StdScalarDeserializer<String> {
    private static final long serialVersionUID = 1L;

    NulFreeString() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      String value = StringDeserializer.instance.deserialize(p, ctxt);
      if (hasNul(value)) {
        throw new UnsafeText(p, value);
      }
      return value;
    }

    @Override
    public LogicalType logicalType() {
      return LogicalType.Textual;
    }
  }

  private static final class NulFreeKey extends KeyDeserializer {
    @Override
    public Object deserializeKey(String key, DeserializationContext ctxt) throws IOException {
      if (hasNul(key)) {
        throw new UnsafeText(ctxt.getParser(), key);
      }
      return key;
    }
  }
}
