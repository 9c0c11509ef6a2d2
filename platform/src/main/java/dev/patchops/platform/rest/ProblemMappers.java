package dev.patchops.platform.rest;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.patchops.contract.JsonInput;
import dev.patchops.platform.Echo;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves as {@code application/problem+json}: the field and the reason for bad input,
 * never a stack trace or a class name. Unexpected failures get an opaque id that is in the log.
 */
public class ProblemMappers {
  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response api(ApiException e, UriInfo uri) {
    return respond(e.status(), e.problemType(), e.title(), e.getMessage(), uri, e.violations());
  }

  @ServerExceptionMapper
  public Response constraintViolation(ConstraintViolationException e, UriInfo uri) {
    List<Problem.Violation> violations =
        e.getConstraintViolations().stream()
            .map(v -> new Problem.Violation(field(v), v.getMessage()))
            .sorted(Comparator.comparing(Problem.Violation::field))
            .toList();
    String detail =
        violations.stream()
            .map(v -> v.field() + ": " + v.reason())
            .collect(Collectors.joining("; "));
    return respond(400, "invalid-request", "Invalid request", detail, uri, violations);
  }

  @ServerExceptionMapper
  public Response unrecognizedField(UnrecognizedPropertyException e, UriInfo uri) {
    String field = path(e);
    return invalid(field, "unknown field", uri);
  }

  @ServerExceptionMapper
  public Response invalidFormat(InvalidFormatException e, UriInfo uri) {
    return invalid(path(e), reason(e), uri);
  }

  /** Why a value could not be read, repeating at most a short, escaped part of it. */
  public static String reason(InvalidFormatException e) {
    if (e instanceof JsonInput.UnsafeText unsafe) {
      return unsafe.reason();
    }
    String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
    return "cannot read value " + Echo.cap(e.getValue()) + " as " + expected;
  }

  @ServerExceptionMapper
  public Response mismatchedInput(MismatchedInputException e, UriInfo uri) {
    String expected = e.getTargetType() == null ? "another type" : describe(e.getTargetType());
    return invalid(path(e), "expected " + expected, uri);
  }

  @ServerExceptionMapper
  public Response mapping(JsonMappingException e, UriInfo uri) {
    return invalid(path(e), "invalid value", uri);
  }

  @ServerExceptionMapper
  public Response malformedJson(JsonParseException e, UriInfo uri) {
    String where =
        e.getLocation() == null
            ? ""
            : " at line "
                + e.getLocation().getLineNr()
                + ", column "
                + e.getLocation().getColumnNr();
    return respond(
        400,
        "malformed-json",
        "Malformed JSON",
        "the body is not valid JSON" + where,
        uri,
        List.of());
  }

  @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
  public Response unauthorized(RuntimeException e, UriInfo uri) {
    return Response.fromResponse(
            respond(
                401,
                "unauthorized",
                "Unauthorized",
                "a valid bearer token is required",
                uri,
                List.of()))
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
        .build();
  }

  @ServerExceptionMapper
  public Response forbidden(ForbiddenException e, UriInfo uri) {
    return respond(
        403, "forbidden", "Forbidden", "your roles do not allow this operation", uri, List.of());
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, UriInfo uri) {
    // The JSON reader reports unreadable bodies as a 400 wrapping Jackson's exception.
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof JsonParseException parse) {
        return malformedJson(parse, uri);
      }
      if (cause instanceof InvalidFormatException format) {
        return invalidFormat(format, uri);
      }
      if (cause instanceof UnrecognizedPropertyException unrecognized) {
        return unrecognizedField(unrecognized, uri);
      }
      if (cause instanceof MismatchedInputException mismatched) {
        return mismatchedInput(mismatched, uri);
      }
      if (cause instanceof JsonMappingException mapping) {
        return mapping(mapping, uri);
      }
    }
    int status = e.getResponse().getStatus();
    Response.StatusType type = Response.Status.fromStatusCode(status);
    String title = type == null ? "Error" : type.getReasonPhrase();
    String detail = status >= 500 ? title : safeMessage(e, title);
    return respond(status, slug(title), title, detail, uri, List.of());
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e, UriInfo uri) {
    if (dev.patchops.platform.persistence.DatabaseOutage.causedBy(e)) {
      return databaseUnavailable(e, uri);
    }
    String errorId = UUID.randomUUID().toString();
    LOG.errorf(e, "unexpected error %s on %s", errorId, uri.getPath());
    return respond(
        500,
        "internal-error",
        "Internal error",
        "an unexpected error occurred; quote error id " + errorId + " when reporting it",
        uri,
        List.of());
  }

  /** Seconds a client waits before sending again what met a database outage. */
  static final int DATABASE_RETRY_AFTER_SECONDS = 2;

  /**
   * The request met an outage, not a bug: a 503 with {@code Retry-After} tells a client (and a load
   * balancer) to come back, where a 500 would call it a defect. A connection lost during a commit
   * leaves the outcome unknown, so the detail promises nothing about what was written.
   */
  private Response databaseUnavailable(Throwable e, UriInfo uri) {
    LOG.warnf(
        "database unavailable on %s: %s", uri.getPath(), Echo.cap(String.valueOf(e.getMessage())));
    Response problem =
        respond(
            503,
            "database-unavailable",
            "Service unavailable",
            "the database cannot be reached just now; try again in a few seconds",
            uri,
            List.of());
    return Response.fromResponse(problem)
        .header("Retry-After", DATABASE_RETRY_AFTER_SECONDS)
        .build();
  }

  private Response invalid(String field, String reason, UriInfo uri) {
    return respond(
        400,
        "invalid-request",
        "Invalid request",
        field + ": " + reason,
        uri,
        List.of(new Problem.Violation(field, reason)));
  }

  public static Response respond(
      int status,
      String problemType,
      String title,
      String detail,
      UriInfo uri,
      List<Problem.Violation> violations) {
    Problem problem =
        new Problem(
            Problem.TYPE_BASE + problemType,
            title,
            status,
            detail,
            uri == null ? null : uri.getPath(),
            violations);
    return Response.status(status).type(Problem.MEDIA_TYPE).entity(problem).build();
  }

  /** {@code create.request.vcs.commitSha} becomes {@code vcs.commitSha}. */
  private static String field(ConstraintViolation<?> violation) {
    List<String> names = new ArrayList<>();
    for (Path.Node node : violation.getPropertyPath()) {
      switch (node.getKind()) {
        case METHOD, PARAMETER, RETURN_VALUE, CROSS_PARAMETER -> names.clear();
        default -> {
          String name = node.getName();
          if (node.getIndex() != null && !names.isEmpty()) {
            names.set(names.size() - 1, names.get(names.size() - 1) + "[" + node.getIndex() + "]");
          }
          if (node.getKind() == jakarta.validation.ElementKind.CONTAINER_ELEMENT) {
            // "<list element>", "<map value>": the element is named by its index or its key.
            if (node.getIndex() == null && node.getKey() != null) {
              names.add(dev.patchops.platform.Echo.cap(node.getKey(), 64));
            }
          } else if (name != null) {
            names.add(name);
          }
        }
      }
    }
    return names.isEmpty() ? "body" : String.join(".", names);
  }

  /** Where in the body a Jackson error is, e.g. {@code alerts[0].startsAt}; "body" at the top. */
  public static String path(JsonMappingException e) {
    StringBuilder out = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (out.length() > 0) {
          out.append('.');
        }
        // A refused field name is the client's text too: repeated short and escaped.
        out.append(Echo.cap(ref.getFieldName()));
      } else if (ref.getIndex() >= 0) {
        out.append('[').append(ref.getIndex()).append(']');
      }
    }
    return out.length() == 0 ? "body" : out.toString();
  }

  private static String describe(Class<?> type) {
    if (type.isEnum()) {
      StringBuilder values = new StringBuilder("one of ");
      Object[] constants = type.getEnumConstants();
      for (int i = 0; i < constants.length; i++) {
        values.append(i == 0 ? "" : ", ").append(((Enum<?>) constants[i]).name());
      }
      return values.toString();
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive() && type != boolean.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (type.getName().startsWith("java.time.")) {
      return "an ISO-8601 timestamp";
    }
    return "an object";
  }

  private static String safeMessage(WebApplicationException e, String fallback) {
    String message = e.getMessage();
    // RESTEasy's own messages can carry class names; they are not for clients.
    if (message == null || message.contains("java.") || message.contains("HTTP ")) {
      return fallback;
    }
    return message;
  }

  private static String slug(String title) {
    return title.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
  }
}
