package dev.patchops.ticket.hooks.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The wire formats of the alert hooks: Alertmanager, Grafana and PagerDuty-style webhooks. */
public final class HookPayloads {
  private HookPayloads() {}

  /** One alert of an Alertmanager (v4) or Grafana (v1) webhook. */
  public record Alert(
      @NotBlank @Pattern(regexp = "firing|resolved", message = "must be firing or resolved")
          String status,
      // The bounds of the alert.received payload: an alert over them is refused whole (400).
      @NotNull @Size(max = 64) Map<@Size(max = 512) String, @Size(max = 512) String> labels,
      @Size(max = 32) Map<@Size(max = 1024) String, @Size(max = 1024) String> annotations,
      @NotNull Instant startsAt,
      Instant endsAt,
      String generatorURL,
      @NotBlank @Size(max = 128) String fingerprint) {}

  public record AlertmanagerWebhook(
      @NotBlank @Pattern(regexp = "4", message = "must be 4") String version,
      String groupKey,
      Integer truncatedAlerts,
      @NotBlank @Pattern(regexp = "firing|resolved", message = "must be firing or resolved")
          String status,
      String receiver,
      Map<String, String> groupLabels,
      Map<String, String> commonLabels,
      Map<String, String> commonAnnotations,
      String externalURL,
      @NotNull @Size(min = 1, max = 1000) List<@NotNull @Valid Alert> alerts) {}

  public record GrafanaWebhook(
      @NotBlank String version,
      String groupKey,
      Integer truncatedAlerts,
      @NotBlank @Pattern(regexp = "firing|resolved", message = "must be firing or resolved")
          String status,
      String receiver,
      Long orgId,
      String title,
      String state,
      String message,
      Map<String, String> commonLabels,
      String externalURL,
      @NotNull @Size(min = 1, max = 1000) List<@NotNull @Valid Alert> alerts) {}

  public record PagerDutyPayload(
      @NotBlank @Size(max = 1024) String summary,
      @NotBlank @Size(max = 255) String source,
      @NotBlank
          @Pattern(
              regexp = "critical|error|warning|info",
              message = "must be critical, error, warning or info")
          String severity,
      Instant timestamp,
      @Size(max = 512) String component,
      @Size(max = 512) String group,
      @JsonProperty("class") @Size(max = 512) String eventClass,
      @JsonProperty("custom_details") Map<String, Object> customDetails) {}

  public record PagerDutyEvent(
      @JsonProperty("routing_key") @NotBlank @Size(max = 64) String routingKey,
      @JsonProperty("event_action")
          @NotBlank
          @Pattern(
              regexp = "trigger|acknowledge|resolve",
              message = "must be trigger, acknowledge or resolve")
          String eventAction,
      @JsonProperty("dedup_key") @Size(max = 255) String dedupKey,
      @Valid PagerDutyPayload payload,
      String client,
      @JsonProperty("client_url") String clientUrl) {}

  /**
   * What a hook answers: enough for an SRE to see what their alert became. {@code refused} alerts
   * named a target that cannot be a Kubernetes name; each is recorded with the reason.
   */
  public record HookReceipt(
      int received, int duplicates, List<String> tickets, int uncorrelated, int refused) {}
}
