package dev.patchops.platform.testapp;

import dev.patchops.platform.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

/**
 * An endpoint whose author forgot its role annotation, beside one that has it: what {@code
 * quarkus.security.jaxrs.deny-unannotated-endpoints} is there to close.
 */
@Path("/api/v1/forgotten")
public class ForgottenRoleResource {
  @GET
  public String unannotated() {
    return "open";
  }

  @GET
  @Path("annotated")
  @RolesAllowed(Roles.AUDITOR)
  public String annotated() {
    return "allowed";
  }
}
