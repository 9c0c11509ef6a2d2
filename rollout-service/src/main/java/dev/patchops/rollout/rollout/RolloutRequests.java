package dev.patchops.rollout.rollout;

import dev.patchops.contract.Pattern;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.platform.rest.ApiException;
import java.util.List;

/** One set of rules for a rollout request, whether it came by REST, by event or by kubectl. */
public final class RolloutRequests {
  private RolloutRequests() {}

  /** Throws a 400 problem naming the first invalid field. */
  public static void validate(RolloutService.StartRollout r, List<String> prometheusUrls) {
    require("ticketId", r.ticketId() != null && !r.ticketId().isBlank(), "is required");
    require("revision", r.revision() >= 1, "must be 1 or more");
    require(
        "image",
        r.image() != null && r.image().matches(Pattern.IMAGE_BY_DIGEST),
        "must be pinned by digest: <repository>@sha256:<64 hex>");
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
      if (!a.queriesOrEmpty().isEmpty()) {
        require(
            "analysis.prometheusUrl",
            a.prometheusUrl() != null
                && a.prometheusUrl().matches("https?://[^\\s]+")
                && prometheusUrls.stream().anyMatch(a.prometheusUrl()::startsWith),
            "must be an http(s) URL starting with one of "
                + prometheusUrls
                + " when queries are given");
        for (int i = 0; i < a.queries().size(); i++) {
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
