package dev.patchops.testing;

import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one annotation for a module's {@code @QuarkusTest}s: the same test resources everywhere, so
 * Quarkus, Kafka and PostgreSQL start once per module rather than once per test class. Modules that
 * also need the Kubernetes mock declare their own annotation with both resources.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(PatchOpsInfra.class)
public @interface PatchOpsTest {}
