package dev.patchops.ticket.hooks.rest;

import dev.patchops.contract.ContractJson;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.ticket.config.TicketServiceConfig;
import dev.patchops.ticket.hooks.AlertSignal;
import dev.patchops.ticket.hooks.HookAuthenticator;
import dev.patchops.ticket.hooks.rest.HookPayloads.AlertmanagerWebhook;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Validator;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * The alert storm benchmark's baseline, in test sources only: the Alertmanager hook's token check,
 * JSON read, validation and mapping to signals, without ingesting anything.
 */
@Path("/bench/bare-alertmanager")
public class BareAlertHookResource {
  @Inject TicketServiceConfig config;
  @Inject Validator validator;

  @POST
  @PermitAll
  @Operation(hidden = true)
  public Response alertmanager(byte[] body, HttpHeaders headers) {
    HookAuthenticator.verify(
        "alertmanager", config.hooks().alertmanager(), headers::getHeaderString, body);
    AlertmanagerWebhook webhook;
    try {
      webhook = ContractJson.mapper().readValue(body, AlertmanagerWebhook.class);
    } catch (IOException e) {
      throw ApiException.badRequest("body", "cannot be read");
    }
    Set<ConstraintViolation<AlertmanagerWebhook>> violations = validator.validate(webhook);
    if (!violations.isEmpty()) {
      throw new ConstraintViolationException(violations);
    }
    List<AlertSignal> signals = webhook.alerts().stream().map(AlertHookResource::signal).toList();
    return Response.accepted("{\"received\":" + signals.size() + "}").build();
  }
}
