package dev.patchops.rollout.canary.analysis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.contract.model.AnalysisEvidence;
import dev.patchops.rollout.canary.AnalysisSpec.MetricQuery;
import dev.patchops.rollout.config.RolloutConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The Prometheus HTTP API as the analysis uses it: instant queries ({@code /api/v1/query}) for the
 * bounded queries and range queries ({@code /api/v1/query_range}) for the judge's comparisons.
 * Every series of an answer counts. The address is checked again on every call (a rollout stored
 * before the rule must not slip past it), redirects are not followed, and an answer larger than the
 * configured cap is an error, not a memory problem.
 */
@ApplicationScoped
public class PrometheusQueries {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int LISTED = 10;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private List<String> allowed;
  private long maxBytes;

  @Inject
  PrometheusQueries(RolloutConfig config) {
    this(config.prometheusUrls(), config.prometheusMaxResponseBytes());
  }

  public PrometheusQueries(List<String> allowed, long maxBytes) {
    this.allowed = List.copyOf(allowed);
    this.maxBytes = maxBytes;
  }

  /**
   * The outcome of one bounded query: every series judged against its limits, or an error. No
   * series, or a NaN, is inconclusive: not a pass, and said so.
   */
  public record Result(AnalysisEvidence evidence, boolean error, boolean inconclusive) {}

  /** The values of a range query, every series flattened, or why there are none. */
  public record Samples(double[] values, int series, String error) {}

  public Result evaluate(String baseUrl, MetricQuery q, String namespace, String canary) {
    String query = q.query().replace("{{namespace}}", namespace).replace("{{canary}}", canary);
    String threshold =
        (q.min() == null ? "" : ">= " + q.min())
            + (q.min() != null && q.max() != null ? " and " : "")
            + (q.max() == null ? "" : "<= " + q.max());
    String check = "prometheus:" + q.name();
    JsonNode data;
    try {
      data =
          get(baseUrl, "/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
    } catch (QueryFailed e) {
      return new Result(
          new AnalysisEvidence(check, query, "error: " + e.getMessage(), threshold, false),
          true,
          false);
    }
    List<String> raw = new ArrayList<>();
    JsonNode result = data.path("result");
    if ("scalar".equals(data.path("resultType").asText())) {
      raw.add(result.path(1).asText());
    } else {
      for (JsonNode series : result) {
        raw.add(series.path("value").path(1).asText());
      }
    }
    if (raw.isEmpty()) {
      // No series is no evidence of health: a canary that serves nothing must not pass.
      return new Result(
          new AnalysisEvidence(check, query, "no data", threshold, false), false, true);
    }
    boolean nan = false;
    boolean ok = true;
    for (String s : raw) {
      double v = parse(s);
      nan |= Double.isNaN(v);
      ok &=
          !Double.isNaN(v)
              && (q.min() == null || v >= q.min())
              && (q.max() == null || v <= q.max());
    }
    String observed =
        raw.size() == 1
            ? raw.get(0)
            : raw.size()
                + " series: "
                + String.join(", ", raw.subList(0, Math.min(LISTED, raw.size())))
                + (raw.size() > LISTED ? ", ..." : "");
    if (nan) {
      observed += " (NaN: inconclusive)";
    }
    return new Result(new AnalysisEvidence(check, query, observed, threshold, ok), false, nan);
  }

  /** A range query over {@code [start, end]} at {@code step} resolution. */
  public Samples range(String baseUrl, String query, Instant start, Instant end, Duration step) {
    JsonNode data;
    try {
      data =
          get(
              baseUrl,
              "/api/v1/query_range?query="
                  + URLEncoder.encode(query, StandardCharsets.UTF_8)
                  + "&start="
                  + seconds(start)
                  + "&end="
                  + seconds(end)
                  + "&step="
                  + Math.max(1, step.toSeconds()));
    } catch (QueryFailed e) {
      return new Samples(new double[0], 0, e.getMessage());
    }
    List<Double> values = new ArrayList<>();
    int series = 0;
    for (JsonNode s : data.path("result")) {
      series++;
      for (JsonNode point : s.path("values")) {
        values.add(parse(point.path(1).asText()));
      }
    }
    return new Samples(values.stream().mapToDouble(Double::doubleValue).toArray(), series, null);
  }

  private static String seconds(Instant t) {
    return t.getEpochSecond() + "." + String.format("%03d", t.getNano() / 1_000_000);
  }

  private static double parse(String s) {
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN; // Prometheus spells them NaN, +Inf, -Inf; anything else is no number
    }
  }

  /** The {@code data} of a successful answer. */
  private JsonNode get(String baseUrl, String pathAndQuery) throws QueryFailed {
    URI base;
    try {
      base = PrometheusAddress.require(baseUrl, allowed);
    } catch (PrometheusAddress.Refused e) {
      throw new QueryFailed("address refused: " + e.getMessage());
    }
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(base + pathAndQuery))
              .timeout(Duration.ofSeconds(3))
              .GET()
              .build();
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      byte[] body;
      try (InputStream in = response.body()) {
        body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      }
      if (body.length > maxBytes) {
        throw new QueryFailed("answer larger than " + maxBytes + " bytes");
      }
      if (response.statusCode() != 200) {
        throw new QueryFailed("HTTP " + response.statusCode());
      }
      JsonNode json = JSON.readTree(body);
      if (!"success".equals(json.path("status").asText())) {
        throw new QueryFailed(json.path("error").asText("query failed"));
      }
      return json.path("data");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QueryFailed("interrupted");
    } catch (IOException e) {
      throw new QueryFailed(e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  private static final class QueryFailed extends Exception {
    QueryFailed(String why) {
      super(why);
    }
  }
}
