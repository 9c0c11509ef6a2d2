package dev.patchops.rollout;

import dev.patchops.testing.PatchOpsInfra;
import dev.patchops.testing.kube.KubernetesControlPlane;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The one set of test resources of this module: real Kafka and PostgreSQL, a real Kubernetes
 * control plane with the simulated kubelet, and a local HTTP server standing in for the webhook and
 * Prometheus, and a real Prometheus for the statistical judge. Put it beside {@code @QuarkusTest}
 * on every test class so Quarkus boots once.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WithTestResource(PatchOpsInfra.class)
@WithTestResource(
    value = KubernetesControlPlane.class,
    initArgs = @ResourceArg(name = "serviceAccount", value = "patchops/rollout-service"))
@WithTestResource(LocalHttp.class)
@WithTestResource(JudgePrometheus.class)
public @interface WithRolloutInfra {}
