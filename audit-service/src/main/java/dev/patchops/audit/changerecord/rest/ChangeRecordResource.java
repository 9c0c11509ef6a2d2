package dev.patchops.audit.changerecord.rest;

import dev.patchops.audit.changerecord.ChangeRecord;
import dev.patchops.audit.changerecord.ChangeRecordBuilder;
import dev.patchops.audit.changerecord.ChangeRecordHtml;
import dev.patchops.audit.changerecord.ChangeRecordMarkdown;
import dev.patchops.audit.query.AuditQuery;
import dev.patchops.audit.trail.TrailRecord;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;

/**
 * One ticket's change record, built from the trail alone: JSON for tools, Markdown for tickets and
 * wikis, HTML for a browser. Everyone who works on changes may read it, since the point of the
 * record is that the next engineer who meets the problem finds it; reporters may not, as it holds
 * test log tails and secret-handling decisions.
 */
@Path("/api/v1/tickets/{id}/change-record")
@RolesAllowed({Roles.ENGINEER, Roles.APPROVER, Roles.SRE, Roles.AUDITOR, Roles.ADMIN})
public class ChangeRecordResource {
  static final String MARKDOWN = "text/markdown";

  private enum Format {
    JSON(MediaType.APPLICATION_JSON_TYPE),
    MARKDOWN(MediaType.valueOf(ChangeRecordResource.MARKDOWN)),
    HTML(MediaType.TEXT_HTML_TYPE);

    final MediaType type;

    Format(MediaType type) {
      this.type = type;
    }
  }

  /**
   * Records of the trail per page. A ticket's trail grows with every delivery and retry, and a
   * change record built from all of it at once held all of it in memory; a page holds at most this
   * many records, whatever the ticket's history.
   */
  public static final int MAX_PAGE = 1000;

  @Inject AuditQuery query;

  /**
   * @param format json, markdown or html; overrides {@code Accept}, so a link can pick the format
   * @param limit records of the trail on this page, 1 to {@value #MAX_PAGE} (the default)
   * @param after the cursor: the {@code page.next} of the previous page; absent for the first
   */
  @GET
  @Produces({MediaType.APPLICATION_JSON, MARKDOWN, MediaType.TEXT_HTML})
  public Response changeRecord(
      @PathParam("id") String ticketId,
      @QueryParam("format") String format,
      @QueryParam("limit") Integer limit,
      @QueryParam("after") Long after,
      @jakarta.ws.rs.core.Context HttpHeaders headers,
      @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
    Format chosen = format != null ? parse(format) : negotiate(headers.getAcceptableMediaTypes());
    int size = limit == null ? MAX_PAGE : limit;
    if (size < 1 || size > MAX_PAGE) {
      throw ApiException.badRequest("limit", "must be between 1 and " + MAX_PAGE);
    }
    if (after != null && after < 0) {
      throw ApiException.badRequest("after", "must be a sequence number, 0 or more");
    }
    // One more than the page, to know whether another follows without counting the rest.
    List<TrailRecord> records = query.ticketPage(ticketId, after == null ? -1 : after, size + 1);
    if (records.isEmpty() && after == null) {
      throw ApiException.notFound("ticket " + ticketId + " in the audit trail");
    }
    boolean more = records.size() > size;
    if (more) {
      records = records.subList(0, size);
    }
    Long next = more ? records.get(records.size() - 1).seq() : null;
    ChangeRecord.Page page = new ChangeRecord.Page(size, after, next, after == null && !more);
    ChangeRecord record = ChangeRecordBuilder.build(ticketId, records, page);
    Object body =
        switch (chosen) {
          case JSON -> record;
          case MARKDOWN -> ChangeRecordMarkdown.render(record);
          case HTML -> ChangeRecordHtml.render(record);
        };
    Response.ResponseBuilder response = Response.ok(body, chosen.type.withCharset("UTF-8"));
    if (next != null) {
      response.link(
          uri.getRequestUriBuilder()
              .replaceQueryParam("limit", size)
              .replaceQueryParam("after", next)
              .build(),
          "next");
    }
    return response
        .header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
        // The page shows what anyone who opens a ticket writes: no scripts, whatever slips past.
        .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
        .header("X-Content-Type-Options", "nosniff")
        .build();
  }

  private static Format parse(String format) {
    try {
      return Format.valueOf(format.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("format", "must be one of json, markdown, html");
    }
  }

  /** Accept is already sorted by preference; the first type we can serve wins, JSON by default. */
  private static Format negotiate(List<MediaType> acceptable) {
    for (MediaType wanted : acceptable) {
      if (wanted.isWildcardType()) {
        return Format.JSON;
      }
      for (Format f : Format.values()) {
        if (f.type.isCompatible(wanted)) {
          return f;
        }
      }
    }
    return Format.JSON;
  }
}
