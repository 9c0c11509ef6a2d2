package dev.patchops.platform.security;

/**
 * The PatchOps roles. A token carries each as a group with a prefix (see {@link RoleAugmentor}).
 */
public final class Roles {
  public static final String REPORTER = "reporter";
  public static final String ENGINEER = "engineer";
  public static final String APPROVER = "approver";
  public static final String SRE = "sre";
  public static final String AUDITOR = "auditor";
  public static final String ADMIN = "admin";

  /** Every PatchOps role; read endpoints allow any of them. */
  public static final java.util.Set<String> ALL =
      java.util.Set.of(REPORTER, ENGINEER, APPROVER, SRE, AUDITOR, ADMIN);

  /**
   * Held by whoever has any role of {@link #ALL} (added by {@link RoleAugmentor}, never by a
   * token).
   */
  public static final String MEMBER = "patchops-member";

  private Roles() {}
}
