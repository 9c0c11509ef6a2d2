package dev.patchops.audit.checkpoint.rest;

import dev.patchops.audit.checkpoint.AuditCheckpoint;
import dev.patchops.audit.checkpoint.CheckpointService;
import dev.patchops.platform.rest.ApiException;
import dev.patchops.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/v1/audit/checkpoints")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
public class CheckpointResource {

  /**
   * A signed head as published. The signature (Ed25519, base64) covers the RFC 8785 JSON of {@code
   * {"headHash","keyId","prevCheckpointHash","seq","signedAt"}}; {@code publicKey} is X.509 DER,
   * base64; {@code prevCheckpointHash} is the hash of the checkpoint signed before.
   */
  public record CheckpointView(
      long seq,
      String headHash,
      Instant signedAt,
      String keyId,
      String algorithm,
      String signature,
      String publicKey,
      String prevCheckpointHash) {
    static CheckpointView of(AuditCheckpoint c) {
      return new CheckpointView(
          c.seq,
          c.headHash,
          c.signedAt,
          c.keyId,
          c.algorithm,
          c.signature,
          c.publicKey,
          c.prevCheckpointHash);
    }
  }

  @Inject CheckpointService checkpoints;
  @Inject SecurityIdentity identity;

  @GET
  @Path("/latest")
  public CheckpointView latest() {
    return checkpoints
        .latest()
        .map(CheckpointView::of)
        .orElseThrow(() -> ApiException.notFound("a signed checkpoint"));
  }

  /** Signs the head now, for an auditor who wants an anchor before sampling. */
  @POST
  @ResponseStatus(201)
  public CheckpointView sign() {
    return checkpoints
        .checkpoint(identity.getPrincipal().getName())
        .map(CheckpointView::of)
        .orElseThrow(
            () ->
                ApiException.conflict("empty-trail", "the audit trail is empty: nothing to sign"));
  }
}
