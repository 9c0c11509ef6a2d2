package dev.patchops.platform.persistence;

import dev.patchops.contract.ContractJson;
import io.quarkus.hibernate.orm.JsonFormat;
import io.quarkus.hibernate.orm.PersistenceUnitExtension;
import jakarta.enterprise.context.ApplicationScoped;
import org.hibernate.type.descriptor.WrapperOptions;
import org.hibernate.type.descriptor.java.JavaType;
import org.hibernate.type.format.FormatMapper;
import org.hibernate.type.format.jackson.JacksonJsonFormatMapper;

/**
 * JSON columns are written with the event contract's mapping, not the REST layer's: what a service
 * stores from an event (analytics, targets) reads back exactly as the event carried it.
 */
@JsonFormat
@PersistenceUnitExtension
@ApplicationScoped
public class ContractJsonFormat implements FormatMapper {
  private final FormatMapper delegate = new JacksonJsonFormatMapper(ContractJson.mapper());

  @Override
  public <T> T fromString(CharSequence value, JavaType<T> javaType, WrapperOptions options) {
    return delegate.fromString(value, javaType, options);
  }

  @Override
  public <T> String toString(T value, JavaType<T> javaType, WrapperOptions options) {
    return delegate.toString(value, javaType, options);
  }
}
