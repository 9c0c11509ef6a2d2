package dev.patchops.rollout.canary;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Pattern;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.rollout.canary.analysis.CanaryAnalysis;
import dev.patchops.rollout.canary.analysis.Judge;
import dev.patchops.rollout.canary.analysis.PrometheusAddress;
import java.util.List;

/** One set of rules for a rollout request, whether it came by REST, by event or by kubectl. */
public final class RolloutRequests {
  private RolloutRequests() {}

  /** Throws a 400 problem naming the first invalid field. */
  public static void validate(RolloutStarts.StartRollout r, List<String> prometheusUrls) {
    require("ticketId", r.ticketId() != null && !r.ticketId().isBlank(), "is required");
    // the events' bounds (contract Limit): what a user names is refused here, not cut later
    require("ticketId", r.ticketId().length() <= Limit.ID, "must be at most 128 characters");
    require("revision", r.revision() >= 1, "must be 1 or more");
    require(
        "image",
        r.image() != null && r.image().matches(Pattern.IMAGE_BY_DIGEST),
        "must be pinned by digest: <repository>@sha256:<64 hex>");
    require("image", r.image().length() <= Limit.IMAGE, "must be at most 600 characters");
    require(
        "emergencyReason",
        r.emergency() == null
            || r.emergency().reason() == null
            || r.emergency().reason().length() <= Limit.TEXT,
        "must be at most 4000 characters");
    require("namespace", dns(r.namespace()), "must be a DNS-1123 label");
    require("deployment", dns(r.deployment()), "must be a DNS-1123 name");
    require(
        "containers",
        r.containers() != null
            && !r.containers().isEmpty()
            && r.containers().stream().allMatch(RolloutRequests::dns),
        "must name at least one container, each a DNS-1123 label");
    if (r.steps() != null) {
      int previous = 0;
      for (int i = 0; i < r.steps().size(); i++) {
        CanaryStep s = r.steps().get(i);
        require(
            "steps[" + i + "].weight",
            s != null && s.weight() > previous && s.weight() <= 100,
            "must rise from step to step, within 1..100");
        require(
            "steps[" + i + "].pauseSeconds",
            s.pauseSeconds() >= 0 && s.pauseSeconds() <= 86_400,
            "must be within 0..86400");
        previous = s.weight();
      }
    }
    AnalysisSpec a = r.analysis();
    if (a != null) {
      require(
          "analysis.progressDeadlineSeconds",
          a.progressDeadlineSeconds() == null
              || (a.progressDeadlineSeconds() >= 1 && a.progressDeadlineSeconds() <= 3_600),
          "must be within 1..3600");
      require(
          "analysis.maxRestarts",
          a.maxRestarts() == null || a.maxRestarts() >= 0,
          "must be 0 or more");
      if (!a.queriesOrEmpty().isEmpty() || !a.comparisonsOrEmpty().isEmpty()) {
        String refused = null;
        try {
          PrometheusAddress.require(a.prometheusUrl(), prometheusUrls);
        } catch (PrometheusAddress.Refused e) {
          refused = e.getMessage();
        }
        require(
            "analysis.prometheusUrl",
            refused == null,
            refused + " when queries or comparisons are given");
        for (int i = 0; i < a.queriesOrEmpty().size(); i++) {
          var q = a.queries().get(i);
          require(
              "analysis.queries[" + i + "]",
              q != null
                  && q.name() != null
                  && !q.name().isBlank()
                  && q.query() != null
                  && !q.query().isBlank()
                  && (q.min() != null || q.max() != null),
              "needs a name, a query and a min or a max");
        }
        for (int i = 0; i < a.comparisonsOrEmpty().size(); i++) {
          var c = a.comparisons().get(i);
          String field = "analysis.comparisons[" + i + "]";
          require(
              field,
              c != null
                  && c.name() != null
                  && !c.name().isBlank()
                  && c.query() != null
                  && !c.query().isBlank(),
              "needs a name and a query");
          require(
              field + ".badWhen",
              "higher".equalsIgnoreCase(c.badWhen()) || "lower".equalsIgnoreCase(c.badWhen()),
              "must be higher or lower: which way a canary's value is bad");
          String thresholds = null;
          try {
            CanaryAnalysis.thresholdsOf(c);
          } catch (IllegalArgumentException e) {
            thresholds = e.getMessage();
          }
          require(field, thresholds == null, thresholds);
          require(
              field + ".lookbackSeconds",
              c.lookbackSeconds() == null
                  || (c.lookbackSeconds() >= 1 && c.lookbackSeconds() <= 86_400),
              "must be within 1..86400");
          require(
              field + ".resolutionSeconds",
              c.resolutionSeconds() == null
                  || (c.resolutionSeconds() >= 1 && c.resolutionSeconds() <= 3_600),
              "must be within 1..3600");
        }
        double pass = a.passScore() == null ? Judge.DEFAULT_PASS_SCORE : a.passScore();
        double marginal =
            a.marginalScore() == null ? Judge.DEFAULT_MARGINAL_SCORE : a.marginalScore();
        require(
            "analysis.marginalScore",
            marginal >= 0 && marginal <= pass && pass <= 100,
            "needs 0 <= marginalScore <= passScore <= 100");
      }
    }
    require("httpRoute", r.httpRoute() == null || dns(r.httpRoute()), "must be a DNS-1123 name");
  }

  private static boolean dns(String s) {
    return s != null && s.length() <= 253 && s.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
  }

  private static void require(String field, boolean ok, String reason) {
    if (!ok) {
      throw ApiException.badRequest(field, reason);
    }
  }
}
