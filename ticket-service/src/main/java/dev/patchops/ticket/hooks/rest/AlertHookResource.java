package dev.patchops.ticket.hooks.rest;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.contract.ContractJson;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.rest.ProblemMappers;
import dev.patchops.ticket.config.TicketServiceConfig;
import dev.patchops.ticket.hooks.AlertIngest;
import dev.patchops.ticket.hooks.AlertSignal;
import dev.patchops.ticket.hooks.DeliveryLedger;
import dev.patchops.ticket.hooks.HookAuthenticator;
import dev.patchops.ticket.hooks.rest.HookPayloads.Alert;
import dev.patchops.ticket.hooks.rest.HookPayloads.AlertmanagerWebhook;
import dev.patchops.ticket.hooks.rest.HookPayloads.GrafanaWebhook;
import dev.patchops.ticket.hooks.rest.HookPayloads.HookReceipt;
import dev.patchops.ticket.hooks.rest.HookPayloads.PagerDutyEvent;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Alerting systems call these. They authenticate with a token or an HMAC signature instead of a
 * JWT, which is why they are {@code @PermitAll} to the JWT layer and check for themselves first.
 */
@Path("/hooks")
@PermitAll
@Consumes(MediaType.WILDCARD)
@Produces(MediaType.APPLICATION_JSON)
public class AlertHookResource {
  private static final ObjectMapper JSON = ContractJson.mapper();

  /** Alertmanager sends this for a firing alert's end. */
  private static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

  private static final Instant LATEST_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");
  private static final int MAX_DETAIL_CHARS = 512;

  @Inject TicketServiceConfig config;
  @Inject AlertIngest ingest;
  @Inject DeliveryLedger deliveries;
  @Inject Validator validator;

  @POST
  @Path("alertmanager")
  @Transactional
  public Response alertmanager(byte[] body, HttpHeaders headers) {
    HookAuthenticator.verify(
        "alertmanager", config.hooks().alertmanager(), headers::getHeaderString, body);
    AlertmanagerWebhook webhook = read(body, AlertmanagerWebhook.class);
    checkTimes(webhook.alerts());
    return accepted(
        ingest.ingest(
            "alertmanager", webhook.alerts().stream().map(AlertHookResource::signal).toList()));
  }

  @POST
  @Path("grafana")
  @Transactional
  public Response grafana(byte[] body, HttpHeaders headers) {
    HookAuthenticator.verify("grafana", config.hooks().grafana(), headers::getHeaderString, body);
    GrafanaWebhook webhook = read(body, GrafanaWebhook.class);
    checkTimes(webhook.alerts());
    return accepted(
        ingest.ingest(
            "grafana", webhook.alerts().stream().map(AlertHookResource::signal).toList()));
  }

  @POST
  @Path("pagerduty")
  @Transactional
  public Response pagerduty(byte[] body, HttpHeaders headers) {
    HookAuthenticator.verify(
        "pagerduty", config.hooks().pagerduty(), headers::getHeaderString, body);
    PagerDutyEvent event = read(body, PagerDutyEvent.class);
    if (event.eventAction().equals("trigger") && event.payload() == null) {
      throw ApiException.badRequest("payload", "is required for a trigger");
    }
    if (event.dedupKey() == null && !event.eventAction().equals("trigger")) {
      throw ApiException.badRequest("dedup_key", "is required to " + event.eventAction());
    }
    Instant timestamp = event.payload() == null ? null : event.payload().timestamp();
    if (timestamp != null
        && timestamp.isBefore(Instant.now().minus(config.hooks().replayWindow()))) {
      throw ApiException.badRequest(
          "payload.timestamp", "is older than the replay window: a replayed event");
    }
    // Refusals of the mapping come before the ledger remembers the trigger.
    AlertSignal signal = signal(event);
    if (event.eventAction().equals("trigger") && !deliveries.firstDelivery("pagerduty", body)) {
      // The same signed trigger again: a retry or a replay; either way it changes nothing.
      // Acknowledge and resolve bodies repeat for every occurrence of a key, and replaying one
      // can end an alert early but never start a revert, so only triggers are held to this.
      return accepted(new AlertIngest.Result(1, 1, java.util.Set.of(), 0, 0));
    }
    return accepted(ingest.ingest("pagerduty", List.of(signal)));
  }

  /**
   * Alerting systems send RFC 3339 times, years 1 to 9999; Jackson also reads a number as epoch
   * seconds, and PostgreSQL cannot store a year past 294276: refused here, naming the field.
   */
  private static void checkTimes(List<Alert> alerts) {
    for (int i = 0; i < alerts.size(); i++) {
      checkTime("alerts[" + i + "].startsAt", alerts.get(i).startsAt());
      checkTime("alerts[" + i + "].endsAt", alerts.get(i).endsAt());
    }
  }

  private static void checkTime(String field, Instant at) {
    if (at != null && (at.isBefore(ZERO_TIME) || at.isAfter(LATEST_TIME))) {
      throw ApiException.badRequest(field, "must be a time between the years 1 and 9999");
    }
  }

  private <T> T read(byte[] body, Class<T> type) {
    if (body == null || body.length == 0) {
      throw ApiException.badRequest("body", "is empty");
    }
    com.fasterxml.jackson.databind.JsonNode tree;
    try {
      // Syntax first, so a truncated body is reported as such and not as a bad field.
      tree = JSON.readTree(body);
    } catch (IOException e) {
      throw ApiException.badRequest("body", "is not valid JSON");
    }
    if (tree == null || !tree.isObject()) {
      throw ApiException.badRequest("body", "must be a JSON object");
    }
    T payload;
    try {
      payload = JSON.treeToValue(tree, type);
    } catch (com.fasterxml.jackson.databind.exc.InvalidFormatException e) {
      throw ApiException.badRequest(ProblemMappers.path(e), ProblemMappers.reason(e));
    } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
      throw ApiException.badRequest(ProblemMappers.path(e), "has the wrong type or format");
    } catch (IOException e) {
      throw ApiException.badRequest("body", "cannot be read");
    }
    Set<ConstraintViolation<T>> violations = validator.validate(payload);
    if (!violations.isEmpty()) {
      throw new ConstraintViolationException(violations);
    }
    return payload;
  }

  private static Response accepted(AlertIngest.Result result) {
    return Response.accepted(
            new HookReceipt(
                result.received(),
                result.duplicates(),
                List.copyOf(result.tickets()),
                result.uncorrelated(),
                result.refused()))
        .build();
  }

  static AlertSignal signal(Alert alert) {
    Map<String, String> labels = new HashMap<>();
    alert
        .labels()
        .forEach(
            (k, v) -> {
              if (v != null) {
                labels.put(k, v);
              }
            });
    Map<String, String> annotations = new HashMap<>();
    if (alert.annotations() != null) {
      alert
          .annotations()
          .forEach(
              (k, v) -> {
                if (v != null) {
                  annotations.put(k, v);
                }
              });
    }
    boolean resolved = alert.status().equals("resolved");
    Instant endsAt =
        alert.endsAt() == null || alert.endsAt().equals(ZERO_TIME) ? null : alert.endsAt();
    return new AlertSignal(
        alert.fingerprint(),
        resolved ? AlertSignal.Status.RESOLVED : AlertSignal.Status.FIRING,
        alert.startsAt(),
        resolved ? endsAt : null,
        labels.getOrDefault("alertname", "alert"),
        annotations.get("summary"),
        labels.get("severity"),
        labels,
        annotations);
  }

  static AlertSignal signal(PagerDutyEvent event) {
    Map<String, String> labels = new HashMap<>();
    Map<String, String> annotations = new HashMap<>();
    String summary = null;
    String severity = null;
    String name = "pagerduty";
    if (event.payload() != null) {
      var payload = event.payload();
      summary = payload.summary();
      severity = payload.severity();
      annotations.put("summary", payload.summary());
      annotations.put("source", payload.source());
      labels.put("severity", payload.severity());
      if (payload.component() != null) {
        labels.put("component", payload.component());
      }
      if (payload.eventClass() != null) {
        name = payload.eventClass();
      }
      if (payload.customDetails() != null) {
        // kube-state-metrics style names in custom_details map the alert to its workload or node.
        for (String key : List.of("namespace", "deployment", "node", "alertname")) {
          Object value = payload.customDetails().get(key);
          // custom_details is free-form, so the parser checks none of it; these keys become
          // labels, and a label is a string without NUL (which PostgreSQL cannot store).
          if (value == null) {
            continue;
          }
          String field = "payload.custom_details." + key;
          if (!(value instanceof String text)) {
            throw ApiException.badRequest(field, "must be a string");
          }
          if (text.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest(field, "must not contain the NUL character (U+0000)");
          }
          if (text.length() > MAX_DETAIL_CHARS) {
            // The alert.received label bound; a longer value could not be published.
            throw ApiException.badRequest(
                field, "must be at most " + MAX_DETAIL_CHARS + " characters");
          }
          labels.put(key, text);
        }
      }
      name = labels.getOrDefault("alertname", name);
    }
    String fingerprint =
        event.dedupKey() != null
            ? event.dedupKey()
            : sha256(event.routingKey() + "|" + summary + "|" + annotations.get("source"));
    AlertSignal.Status status =
        switch (event.eventAction()) {
          case "acknowledge" -> AlertSignal.Status.ACKNOWLEDGED;
          case "resolve" -> AlertSignal.Status.RESOLVED;
          default -> AlertSignal.Status.FIRING;
        };
    return new AlertSignal(
        fingerprint, status, null, null, name, summary, severity, labels, annotations);
  }

  private static String sha256(String value) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
