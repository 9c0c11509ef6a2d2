package dev.patchops.ticket.process.rest;

import dev.patchops.platform.rest.Problem;
import dev.patchops.ticket.process.InvalidInput;
import dev.patchops.ticket.process.NotFound;
import dev.patchops.ticket.process.Refusal;
import dev.patchops.ticket.process.Refused;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The REST edge of the process: domain refusals become application/problem+json. An invalid request
 * is a 400 naming the field, a refusal of the person a 403 and one of the moment a 409, both typed
 * {@code gate-<id>}.
 */
public class ProcessProblems {

  @ServerExceptionMapper
  public Response refused(Refused e, UriInfo uri) {
    Refusal r = e.refusal();
    return switch (r.kind()) {
      case INVALID -> invalid(r.field(), r.reason(), uri);
      case FORBIDDEN -> gate(403, "Forbidden", r, uri);
      case CONFLICT -> gate(409, "Conflict", r, uri);
    };
  }

  @ServerExceptionMapper
  public Response invalidInput(InvalidInput e, UriInfo uri) {
    return invalid(e.field(), e.reason(), uri);
  }

  @ServerExceptionMapper
  public Response notFound(NotFound e, UriInfo uri) {
    return respond(404, "not-found", "Not found", e.getMessage(), uri, List.of());
  }

  private static Response gate(int status, String title, Refusal r, UriInfo uri) {
    List<Problem.Violation> violations =
        r.field() == null ? List.of() : List.of(new Problem.Violation(r.field(), r.reason()));
    return respond(status, "gate-" + r.gate().id(), title, r.reason(), uri, violations);
  }

  private static Response invalid(String field, String reason, UriInfo uri) {
    return respond(
        400,
        "invalid-request",
        "Invalid request",
        field + ": " + reason,
        uri,
        List.of(new Problem.Violation(field, reason)));
  }

  private static Response respond(
      int status,
      String type,
      String title,
      String detail,
      UriInfo uri,
      List<Problem.Violation> violations) {
    return Response.status(status)
        .type(Problem.MEDIA_TYPE)
        .entity(
            new Problem(
                Problem.TYPE_BASE + type,
                title,
                status,
                detail,
                uri == null ? null : uri.getPath(),
                violations))
        .build();
  }
}
