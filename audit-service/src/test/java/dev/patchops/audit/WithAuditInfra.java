package dev.patchops.audit;

import dev.patchops.testing.PatchOpsInfra;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one set of test resources of this module: real Kafka and PostgreSQL, with the service running
 * as the unprivileged login role {@value #RUNTIME_USER} and migrating as the owner {@value #OWNER}
 * (as in production), and a fresh Ed25519 checkpoint key (and a retired one still published), and
 * the audit witness on its own database. Put it beside {@code @QuarkusTest} on every test class so
 * Quarkus boots once.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(
    value = PatchOpsInfra.class,
    initArgs = {
      @ResourceArg(name = PatchOpsInfra.RUNTIME_USER_ARG, value = WithAuditInfra.RUNTIME_USER),
      @ResourceArg(name = PatchOpsInfra.MIGRATION_USER_ARG, value = WithAuditInfra.OWNER)
    })
@WithTestResource(AuditSigningKeyResource.class)
@WithTestResource(WitnessResource.class)
public @interface WithAuditInfra {
  String RUNTIME_USER = "audit_app";

  /** The database's owner, which Flyway migrates as; the service's role does not hold it. */
  String OWNER = "audit_owner";
}
