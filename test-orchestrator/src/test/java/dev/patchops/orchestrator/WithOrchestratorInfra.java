package dev.patchops.orchestrator;

import dev.patchops.testing.PatchOpsInfra;
import dev.patchops.testing.kube.KubernetesControlPlane;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one set of test resources of this module: real Kafka and PostgreSQL, and a real Kubernetes
 * control plane (reached through a proxy tests can make fail). Put it beside {@code @QuarkusTest}
 * on every test class so Quarkus boots once.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(PatchOpsInfra.class)
@WithTestResource(
    value = KubernetesControlPlane.class,
    initArgs = @ResourceArg(name = "serviceAccount", value = "patchops/test-orchestrator"))
public @interface WithOrchestratorInfra {}
