package dev.patchops.ticket.process;

import dev.patchops.platform.security.Roles;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.Set;

/** Who is calling, from the verified JWT. */
@RequestScoped
public class CurrentUser {
  /** The roles that may read test log tails and Secret decisions, as in the change record. */
  private static final Set<String> TEST_DETAIL_READERS =
      Set.of(Roles.ENGINEER, Roles.APPROVER, Roles.SRE, Roles.AUDITOR, Roles.ADMIN);

  @Inject SecurityIdentity identity;

  public String name() {
    return identity.getPrincipal().getName();
  }

  public boolean hasRole(String role) {
    return identity.hasRole(role);
  }

  public Policies.Actor actor() {
    return new Policies.Actor(name(), Set.copyOf(identity.getRoles()));
  }

  /** A reporter sees that tests ran and how they ended, not their logs or Secret decisions. */
  public boolean mayReadTestDetails() {
    return TEST_DETAIL_READERS.stream().anyMatch(identity::hasRole);
  }
}
