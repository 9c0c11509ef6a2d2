package dev.patchops.platform.security;

/** The JWT {@code groups} that PatchOps understands. */
public final class Roles {
  public static final String REPORTER = "reporter";
  public static final String ENGINEER = "engineer";
  public static final String APPROVER = "approver";
  public static final String SRE = "sre";
  public static final String AUDITOR = "auditor";
  public static final String ADMIN = "admin";

  private Roles() {}
}
