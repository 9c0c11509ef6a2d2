package dev.patchops.platform.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Adds {@link Roles#MEMBER} to anyone who holds at least one PatchOps role, so that "any PatchOps
 * role may read" is one role on an endpoint rather than a list repeated everywhere. A valid token
 * with none of the roles stays a stranger.
 */
@ApplicationScoped
public class MemberRoleAugmentor implements SecurityIdentityAugmentor {

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.isAnonymous() || identity.getRoles().stream().noneMatch(Roles.ALL::contains)) {
      return Uni.createFrom().item(identity);
    }
    return Uni.createFrom()
        .item(QuarkusSecurityIdentity.builder(identity).addRole(Roles.MEMBER).build());
  }
}
