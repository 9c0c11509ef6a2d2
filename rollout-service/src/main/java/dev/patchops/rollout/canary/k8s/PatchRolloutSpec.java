package dev.patchops.rollout.canary.k8s;

import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

public class PatchRolloutSpec {
  @Required public String ticketId;
  @Required public Integer revision;

  /** The Deployment in the PatchRollout's namespace. */
  @Required public String deployment;

  @Required public List<String> containers = new ArrayList<>();

  @Required
  @Pattern("^[^@\\s]+@sha256:[0-9a-f]{64}$")
  public String image;

  public List<Step> steps = new ArrayList<>();

  /** Gateway API mode: the HTTPRoute whose backend weights split the traffic. */
  public String httpRoute;

  public Analysis analysis;

  /** Holds the rollout at its current step. */
  public Boolean paused;

  /** Reverts to the checkpoint at once. */
  public Boolean abort;

  /**
   * Each new value promotes once: {@code full} skips every remaining step, any other value (for
   * example {@code step-2}) passes the current step.
   */
  public String promote;

  public static class Step {
    public int weight;
    public int pauseSeconds;
  }

  public static class Analysis {
    public Integer progressDeadlineSeconds;
    public Integer maxRestarts;
    public String prometheusUrl;
    public List<Query> queries = new ArrayList<>();

    /** Canary-versus-stable comparisons for the statistical judge (docs/architecture.md). */
    public List<Comparison> comparisons = new ArrayList<>();

    /** The judge's score (0..100) at or above which the step passes; default 95. */
    public Double passScore;

    /** At or above which it is marginal (held, then failed); default 75. */
    public Double marginalScore;
  }

  public static class Comparison {
    public String name;

    /** {@code {{namespace}}}, {@code {{deployment}}} and {@code {{pods}}} are filled per side. */
    public String query;

    /** {@code higher} or {@code lower}: which way a canary's value is bad. */
    public String badWhen;

    public Double failPValue;
    public Double marginalPValue;
    public Double tolerance;
    public Integer minSamples;
    public Integer lookbackSeconds;
    public Integer resolutionSeconds;

    /** The judge's form of these; a PatchRollout and a PatchRolloutPolicy both use it. */
    public static List<dev.patchops.rollout.canary.AnalysisSpec.Comparison> toSpec(
        List<Comparison> comparisons) {
      return comparisons == null
          ? List.of()
          : comparisons.stream()
              .map(
                  c ->
                      new dev.patchops.rollout.canary.AnalysisSpec.Comparison(
                          c.name,
                          c.query,
                          c.badWhen,
                          c.failPValue,
                          c.marginalPValue,
                          c.tolerance,
                          c.minSamples,
                          c.lookbackSeconds,
                          c.resolutionSeconds))
              .toList();
    }
  }

  public static class Query {
    public String name;
    public String query;
    public Double min;
    public Double max;
  }
}
