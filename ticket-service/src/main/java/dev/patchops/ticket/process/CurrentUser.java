package dev.patchops.ticket.process;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Who is calling, from the verified JWT. */
@RequestScoped
public class CurrentUser {
  @Inject SecurityIdentity identity;

  public String name() {
    return identity.getPrincipal().getName();
  }

  public boolean hasRole(String role) {
    return identity.hasRole(role);
  }
}
