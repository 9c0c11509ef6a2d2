package dev.patchops.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON mapping of event payloads. Producers and consumers must agree byte for byte on dates
 * and absent fields, so nobody configures their own.
 */
public final class ContractJson {
  private static final ObjectMapper MAPPER =
      JsonInput.strict(
          JsonMapper.builder()
              .addModule(new JavaTimeModule())
              .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
              .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
              // Tolerant reader: a newer producer may add optional fields within the same version.
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
              .serializationInclusion(JsonInclude.Include.NON_NULL)
              .build());

  private ContractJson() {}

  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
