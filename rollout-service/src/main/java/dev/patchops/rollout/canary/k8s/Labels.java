package dev.patchops.rollout.canary.k8s;

/** Labels PatchOps puts on what it creates, so a sweep can find it again after any crash. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "patchops";
  public static final String TRACK = "patchops.dev/track";
  public static final String CANARY = "canary";
  public static final String ROLLOUT = "patchops.dev/rollout";
  public static final String TICKET = "patchops.dev/ticket";

  private Labels() {}
}
