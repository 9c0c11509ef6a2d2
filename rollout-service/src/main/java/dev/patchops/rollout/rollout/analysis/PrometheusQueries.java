package dev.patchops.rollout.rollout.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.rollout.AnalysisSpec.MetricQuery;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Instant queries against the Prometheus HTTP API ({@code /api/v1/query}). */
@ApplicationScoped
public class PrometheusQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** The outcome of one query: a value judged against its limits, or an error. */
  public record Result(AnalysisEvidence evidence, boolean error) {}

  public Result evaluate(String baseUrl, MetricQuery q, String namespace, String canary) {
    String query = q.query().replace("{{namespace}}", namespace).replace("{{canary}}", canary);
    String threshold =
        (q.min() == null ? "" : ">= " + q.min())
            + (q.min() != null && q.max() != null ? " and " : "")
            + (q.max() == null ? "" : "<= " + q.max());
    try {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      baseUrl.replaceAll("/+$", "")
                          + "/api/v1/query?query="
                          + URLEncoder.encode(query, StandardCharsets.UTF_8)))
              .timeout(Duration.ofSeconds(3))
              .GET()
              .build();
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return error(q, query, threshold, "HTTP " + response.statusCode());
      }
      JsonNode body = JSON.readTree(response.body());
      if (!"success".equals(body.path("status").asText())) {
        return error(q, query, threshold, body.path("error").asText("query failed"));
      }
      JsonNode result = body.path("data").path("result");
      JsonNode value =
          "scalar".equals(body.path("data").path("resultType").asText())
              ? result
              : result.isArray() && !result.isEmpty() ? result.get(0).path("value") : null;
      if (value == null || !value.isArray() || value.size() < 2) {
        // No series is no evidence of health: a canary that serves nothing must not pass.
        return new Result(
            new AnalysisEvidence("prometheus:" + q.name(), query, "no data", threshold, false),
            false);
      }
      double v = Double.parseDouble(value.get(1).asText());
      boolean ok =
          !Double.isNaN(v)
              && (q.min() == null || v >= q.min())
              && (q.max() == null || v <= q.max());
      return new Result(
          new AnalysisEvidence(
              "prometheus:" + q.name(), query, value.get(1).asText(), threshold, ok),
          false);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return error(q, query, threshold, "interrupted");
    } catch (Exception e) {
      return error(q, query, threshold, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static Result error(MetricQuery q, String query, String threshold, String why) {
    return new Result(
        new AnalysisEvidence("prometheus:" + q.name(), query, "error: " + why, threshold, false),
        true);
  }
}
