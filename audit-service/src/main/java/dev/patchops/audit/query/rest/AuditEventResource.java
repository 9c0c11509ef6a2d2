package dev.patchops.audit.query.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.ChainHash;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.contract.ContractJson;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.rest.QueryParams;
import dev.patchops.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

@Path("/api/v1/audit/events")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
public class AuditEventResource {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  /** One stored record with the hashes that chain it, so a reader can recheck it. */
  public record AuditEventView(
      long seq,
      String stream,
      String source,
      String id,
      String type,
      String subject,
      String ticketId,
      String actor,
      Instant time,
      Instant ingestedAt,
      String specVersion,
      String topic,
      int partition,
      long offset,
      JsonNode headers,
      JsonNode data,
      String rawBase64,
      String parseError,
      String prevHash,
      String hash,
      String canonical) {
    /** {@code canonical} is exactly what was hashed: SHA-256(prevHash || canonical) == hash. */
    static AuditEventView of(TrailRecord r) {
      return new AuditEventView(
          r.seq(),
          r.stream(),
          r.source(),
          r.eventId(),
          r.type(),
          r.subject(),
          r.ticketId(),
          r.actor(),
          r.eventTime(),
          r.ingestedAt(),
          r.specVersion(),
          r.topic(),
          r.partition(),
          r.offset(),
          json(r.headers()),
          json(r.payload()),
          r.rawPayload() == null ? null : Base64.getEncoder().encodeToString(r.rawPayload()),
          r.parseError(),
          r.prevHash(),
          r.hash(),
          ChainHash.canonical(r));
    }

    /** Null when Jackson's limits refuse what JCS accepted; {@code canonical} still has it. */
    private static JsonNode json(String text) {
      try {
        return text == null ? null : ContractJson.mapper().readTree(text);
      } catch (JsonProcessingException | RuntimeException e) {
        return null;
      }
    }
  }

  /** A page; pass {@code nextAfter} as {@code after} for the next one. */
  public record Page(List<AuditEventView> items, Long nextAfter) {}

  @Inject AuditQuery query;

  @GET
  public Page search(
      @QueryParam("ticketId") String ticketId,
      @QueryParam("type") String type,
      @QueryParam("actor") String actor,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("after") String after,
      @QueryParam("limit") String limit) {
    Instant fromTime = QueryParams.instantValue("from", from);
    Instant toTime = QueryParams.instantValue("to", to);
    if (fromTime != null && toTime != null && !toTime.isAfter(fromTime)) {
      throw ApiException.badRequest("to", "must be after from");
    }
    int size = QueryParams.intValue("limit", limit, DEFAULT_LIMIT, 1, MAX_LIMIT);
    List<TrailRecord> records =
        query.search(
            new AuditQuery.Filter(
                blankToNull(ticketId),
                blankToNull(type),
                blankToNull(actor),
                fromTime,
                toTime,
                QueryParams.longValue("after", after, 0, 0)),
            size);
    List<AuditEventView> items = records.stream().map(AuditEventView::of).toList();
    Long next = items.size() == size ? items.get(items.size() - 1).seq() : null;
    return new Page(items, next);
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }
}
