package dev.patchops.rollout.policy;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.patchops.contract.model.Severity;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;

/**
 * What a policy selects and what it holds its rollouts to. The API server checks ranges and enums;
 * the rules that need the service's configuration (the Prometheus allow-list) or span fields
 * (weights that rise) are checked by the service and shown in the status's {@code Ready} condition.
 */
@ValidationRule(
    value = "has(self.selector) || (has(self.deployments) && size(self.deployments) > 0)",
    message = "select Deployments by selector, by name (deployments) or both")
public class PatchRolloutPolicySpec {
  /**
   * Deployments of the namespace whose labels match. An empty selector ({@code {}}) matches every
   * Deployment of the namespace: a namespace-wide default.
   */
  public LabelSelector selector;

  /** Deployments named outright; a name is more specific than any selector. */
  public List<String> deployments = new ArrayList<>();

  /** The canary steps; none: the service's default steps. */
  @Size(max = 20)
  public List<Step> steps = new ArrayList<>();

  public Analysis analysis;

  public Traffic traffic;

  /** How long after promotion an alert still reverts; none: the service's watch window. */
  @Min(0)
  @Max(604_800)
  public Long watchWindowSeconds;

  /** The alert severities that revert a rollout; none: the service's (SEV1 and SEV2). */
  @Size(max = 4)
  public List<Severity> revertSeverities = new ArrayList<>();

  /**
   * What a revert does with a ConfigMap or Secret of the Deployment that someone else changed
   * during the rollout (a rotated Secret): keep (the default) leaves it as it is now, restore puts
   * the checkpoint's content back. Either way the revert's evidence reports it as drift. The
   * rollout itself never writes them; one deleted meanwhile is always recreated.
   */
  public ConfigDrift configDrift;

  public static class Step {
    @Required
    @Min(1)
    @Max(100)
    public int weight;

    @Min(0)
    @Max(86_400)
    public int pauseSeconds;
  }

  /** The same shape as a PatchRollout's analysis: what a request may add to, never weaken. */
  public static class Analysis {
    @Min(1)
    @Max(3_600)
    public Integer progressDeadlineSeconds;

    @Min(0)
    @Max(1_000)
    public Integer maxRestarts;

    @Pattern("^https?://[^\\s]+$")
    public String prometheusUrl;

    @Size(max = 20)
    public List<Query> queries = new ArrayList<>();

    /**
     * Canary-versus-stable comparisons for the statistical judge, as on a PatchRollout; a request
     * may add comparisons, never drop or replace these.
     */
    @Size(max = 20)
    public List<dev.patchops.rollout.canary.k8s.PatchRolloutSpec.Comparison> comparisons =
        new ArrayList<>();

    /** The judge's passing score (0..100); a request may raise it, not lower it. */
    @Min(0)
    @Max(100)
    public Double passScore;

    /** The judge's marginal score (0..100); a request may raise it, not lower it. */
    @Min(0)
    @Max(100)
    public Double marginalScore;
  }

  @ValidationRule(value = "has(self.min) || has(self.max)", message = "needs a min or a max")
  public static class Query {
    @Required
    @Pattern("^[a-zA-Z0-9_.:-]{1,63}$")
    public String name;

    @Required
    @Size(min = 1, max = 4_096)
    public String query;

    public Double min;
    public Double max;
  }

  @ValidationRule(
      value = "self.mode != 'gatewayAPI' || has(self.httpRoute)",
      message = "gatewayAPI needs the httpRoute whose weights it sets")
  @ValidationRule(
      value = "self.mode != 'replicas' || !has(self.httpRoute)",
      message = "replicas mode splits by replica ratio and takes no httpRoute")
  public static class Traffic {
    @Required public Mode mode;

    @Pattern("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    public String httpRoute;
  }

  public enum Mode {
    @JsonProperty("replicas")
    REPLICAS,
    @JsonProperty("gatewayAPI")
    GATEWAY_API
  }

  public enum ConfigDrift {
    @JsonProperty("keep")
    KEEP,
    @JsonProperty("restore")
    RESTORE
  }
}
