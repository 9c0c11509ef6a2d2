package dev.patchops.platform.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.contract.JsonInput;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** REST bodies follow the same input rules as events and hooks: see {@link JsonInput}. */
@Singleton
public class StrictJson implements ObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    JsonInput.strict(mapper);
  }
}
