package dev.patchops.audit.verify.rest;

import dev.patchops.audit.verify.ChainVerifier;
import dev.patchops.audit.verify.VerificationReport;
import dev.patchops.platform.rest.QueryParams;
import dev.patchops.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

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
}
