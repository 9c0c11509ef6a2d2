package dev.patchops.platform.security;

import dev.patchops.platform.config.PlatformConfig;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the identity provider's groups into PatchOps roles. Only groups spelled with the configured
 * prefix count ({@code patchops-engineer} is {@code engineer}); every other group is dropped, so a
 * shared provider's {@code admin} group grants nothing here. Whoever holds a role also gets {@link
 * Roles#MEMBER}, so that "any PatchOps role may read" is one role on an endpoint; a token cannot
 * carry that role itself.
 */
@ApplicationScoped
public class RoleAugmentor implements SecurityIdentityAugmentor {
  private final String prefix;

  @Inject
  public RoleAugmentor(PlatformConfig config) {
    this(config.security().groupPrefix());
  }

  RoleAugmentor(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.isAnonymous()) {
      return Uni.createFrom().item(identity);
    }
    Set<String> roles = roles(identity.getRoles(), prefix);
    QuarkusSecurityIdentity.Builder builder =
        QuarkusSecurityIdentity.builder()
            .setPrincipal(identity.getPrincipal())
            .addCredentials(identity.getCredentials())
            .addAttributes(identity.getAttributes())
            .addRoles(roles);
    return Uni.createFrom().item(builder.build());
  }

  /** The PatchOps roles these groups grant. */
  static Set<String> roles(Set<String> groups, String prefix) {
    Set<String> roles = new TreeSet<>();
    for (String group : groups) {
      if (group.startsWith(prefix) && Roles.ALL.contains(group.substring(prefix.length()))) {
        roles.add(group.substring(prefix.length()));
      }
    }
    if (!roles.isEmpty()) {
      roles.add(Roles.MEMBER);
    }
    return roles;
  }
}
