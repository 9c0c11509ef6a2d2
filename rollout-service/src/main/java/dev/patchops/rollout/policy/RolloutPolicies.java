package dev.patchops.rollout.policy;

import dev.patchops.contract.model.RolloutOrigin;
import dev.patchops.platform.k8s.ApiRetry;
import dev.patchops.platform.k8s.Conditions;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.rollout.canary.RolloutRequests;
import dev.patchops.rollout.canary.RolloutStarts;
import dev.patchops.rollout.config.RolloutConfig;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The PatchRolloutPolicies of the cluster, read when a rollout starts (so a start runs with the
 * policy as it stands then) and checked on the engine's resync, which writes each one's {@code
 * Ready} condition.
 */
@ApplicationScoped
public class RolloutPolicies {
  private static final Logger LOG = Logger.getLogger(RolloutPolicies.class);
  private static final String SAMPLE_IMAGE = "policy.invalid/check@sha256:" + "0".repeat(64);

  @Inject KubernetesClient client;
  @Inject RolloutConfig config;

  /**
   * The policy a start runs with.
   *
   * @param policy null: no policy selects the workload, the service's defaults apply
   * @param reason why this policy was chosen
   * @param refusal why no rollout may start (ambiguous or unusable policies); null when it may
   */
  public record Resolution(RolloutPolicy policy, String reason, String refusal) {}

  /**
   * How often a policy read is tried, in all, when the API server refused it for a moment (429,
   * 5xx, or no answer: "storage is (re)initializing" right after a CRD changes, a restart): about 3
   * s of backoff before the start is refused. A refusal is final, the moment is not.
   */
  static final int READ_ATTEMPTS = 6;

  public Resolution resolve(String namespace, String deployment) {
    List<PatchRolloutPolicy> crs;
    Map<String, String> labels;
    try {
      crs =
          ApiRetry.withRetry(
              READ_ATTEMPTS,
              () ->
                  client
                      .resources(PatchRolloutPolicy.class)
                      .inNamespace(namespace)
                      .list()
                      .getItems());
      if (crs.isEmpty()) {
        return new Resolution(null, "no policy in namespace " + namespace, null);
      }
      Deployment d =
          ApiRetry.withRetry(
              READ_ATTEMPTS,
              () -> client.apps().deployments().inNamespace(namespace).withName(deployment).get());
      labels = d == null ? Map.of() : d.getMetadata().getLabels();
    } catch (KubernetesClientException e) {
      // Fail closed: a rollout must not run without the policy that would have governed it.
      return new Resolution(
          null, null, "rollout policies of " + namespace + " could not be read: " + e.getMessage());
    }
    List<RolloutPolicy> policies = crs.stream().map(RolloutPolicy::of).toList();
    PolicyMatcher.Choice choice = PolicyMatcher.choose(policies, deployment, labels);
    if (choice instanceof PolicyMatcher.Ambiguous a) {
      return new Resolution(null, null, a.reason());
    }
    if (!(choice instanceof PolicyMatcher.Matched m)) {
      return new Resolution(null, "no policy selects Deployment " + deployment, null);
    }
    PatchRolloutPolicy cr =
        crs.stream()
            .filter(c -> c.getMetadata().getName().equals(m.policy().name()))
            .findFirst()
            .orElseThrow();
    Optional<String> problem = problem(cr);
    return new Resolution(
        m.policy(),
        m.reason(),
        problem.map(p -> "policy " + m.policy().name() + " cannot be used: " + p).orElse(null));
  }

  /**
   * What the service cannot accept in a policy the API server let through: the same rules a request
   * is held to (weights that rise, the Prometheus allow-list, queries with bounds).
   */
  public Optional<String> problem(PatchRolloutPolicy cr) {
    RolloutPolicy p = RolloutPolicy.of(cr);
    if (p.selector() == null && p.deployments().isEmpty()) {
      return Optional.of("selects nothing: give a selector, deployments or both");
    }
    for (String name : p.deployments()) {
      if (name == null || !name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 253) {
        return Optional.of("deployments: " + name + " is not a DNS-1123 name");
      }
    }
    if (p.traffic() != null && p.traffic().gateway() && p.traffic().httpRoute() == null) {
      return Optional.of("traffic.httpRoute: gatewayAPI needs the HTTPRoute");
    }
    try {
      RolloutRequests.validate(
          new RolloutStarts.StartRollout(
              "policy-check",
              "policy-check",
              1,
              SAMPLE_IMAGE,
              cr.getMetadata().getNamespace(),
              "policy-check",
              List.of("policy-check"),
              p.steps(),
              p.traffic() == null ? null : p.traffic().httpRoute(),
              p.analysis(),
              RolloutOrigin.KUBECTL,
              "policy-check",
              null,
              0,
              null),
          config.prometheusUrls());
      return Optional.empty();
    } catch (ApiException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** Writes the {@code Ready} condition of every policy whose status is behind its spec. */
  public void resync() {
    for (PatchRolloutPolicy cr :
        client.resources(PatchRolloutPolicy.class).inAnyNamespace().list().getItems()) {
      long generation = Objects.requireNonNullElse(cr.getMetadata().getGeneration(), 1L);
      PatchRolloutPolicyStatus seen = cr.getStatus();
      if (seen != null && Objects.equals(seen.observedGeneration, generation)) {
        continue;
      }
      try {
        Optional<String> problem = problem(cr);
        PatchRolloutPolicyStatus status = new PatchRolloutPolicyStatus();
        status.observedGeneration = generation;
        List<Condition> previous = seen == null ? List.of() : seen.conditions;
        status.conditions =
            List.of(
                Conditions.of(
                    "Ready",
                    problem.isEmpty(),
                    problem.isEmpty() ? "Valid" : "Invalid",
                    problem.orElse("used by every rollout of the Deployments it selects"),
                    previous,
                    generation));
        client
            .resources(PatchRolloutPolicy.class)
            .inNamespace(cr.getMetadata().getNamespace())
            .withName(cr.getMetadata().getName())
            .subresource("status")
            .patch(
                PatchContext.of(PatchType.JSON),
                Serialization.asJson(
                    List.of(Map.of("op", "add", "path", "/status", "value", status))));
      } catch (KubernetesClientException e) {
        LOG.warnf(
            "status of PatchRolloutPolicy %s/%s not written (%s); retried on the next resync",
            cr.getMetadata().getNamespace(), cr.getMetadata().getName(), e.getMessage());
      }
    }
  }
}
