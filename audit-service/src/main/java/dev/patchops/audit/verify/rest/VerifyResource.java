package dev.patchops.audit.verify.rest;

import dev.patchops.audit.checkpoint.AuditCheckpoint;
import dev.patchops.audit.verify.ChainVerifier;
import dev.patchops.audit.verify.VerificationReport;
import dev.patchops.platform.rest.ProblemMappers;
import dev.patchops.platform.rest.QueryParams;
import dev.patchops.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

@Path("/api/v1/audit/verify")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
public class VerifyResource {
  @Inject ChainVerifier verifier;

  /**
   * Verifies the whole chain, or {@code from..to}. Without {@code to} the walk runs to the head and
   * is also held against the newest checkpoint. A broken chain is still a 200: the report is the
   * answer.
   */
  @GET
  public VerificationReport verify(@QueryParam("from") String from, @QueryParam("to") String to) {
    long first = QueryParams.longValue("from", from, 1, 1);
    Long last = to == null ? null : QueryParams.longValue("to", to, first, first);
    return verifier.verify(first, last);
  }

  /** A checkpoint as published on the audit topic, kept by someone outside this service. */
  public record KeptCheckpoint(
      @NotNull Long seq,
      @NotBlank String headHash,
      @NotNull Instant signedAt,
      @NotBlank String keyId,
      @NotBlank String signature,
      @Pattern(regexp = "[0-9a-f]{64}") String prevCheckpointHash) {}

  public record VerifyRequest(
      @NotNull @Size(min = 1, max = 1000) List<@Valid @NotNull KeptCheckpoint> checkpoints) {}

  /**
   * Verifies the whole chain against checkpoints the caller kept. A checkpoint whose signature does
   * not verify is reported as such, so a forged one cannot make a sound chain look broken
   * unnoticed.
   */
  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  public VerificationReport verifyAgainst(@Valid @NotNull VerifyRequest request) {
    List<AuditCheckpoint> kept = new ArrayList<>();
    for (KeptCheckpoint k : request.checkpoints()) {
      AuditCheckpoint c = new AuditCheckpoint();
      c.seq = k.seq();
      c.headHash = k.headHash();
      c.signedAt = k.signedAt();
      c.keyId = k.keyId();
      c.signature = k.signature();
      c.prevCheckpointHash = k.prevCheckpointHash();
      kept.add(c);
    }
    return verifier.verify(1, null, kept);
  }

  /** Only this edge knows that a busy verifier is a 429, and how long to wait. */
  @ServerExceptionMapper
  public Response busy(ChainVerifier.Busy e, UriInfo uri) {
    return Response.fromResponse(
            ProblemMappers.respond(
                429, "verification-busy", "Verification busy", e.getMessage(), uri, List.of()))
        .header(HttpHeaders.RETRY_AFTER, "30")
        .build();
  }
}
