package dev.patchops.rollout.canary;

import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.model.WorkloadRef;
import java.util.Collection;
import java.util.Map;

/**
 * Whether an alert could reach any rollout still running, told from the alert and the running
 * rollouts alone, before any API lookup or transaction. Under an alert storm nearly every alert is
 * about another workload; without this each would cost a transaction and an API lookup, and the
 * canary's own alert would wait behind them. It must never say no where the full correlation
 * ({@code AlertWorkloads} and {@code RolloutService.revertibleFor}) could say yes, so it errs wide:
 * an alert without a named Deployment reaches every rollout of its namespace (a Pod, Service or app
 * label can only lead to Deployments there, canaries included).
 */
public final class AlertReach {
  private AlertReach() {}

  /** A rollout not yet ended: where it runs and for which ticket. */
  public record Running(String namespace, String deployment, String ticketId) {}

  public static boolean mayReach(AlertReceived alert, Collection<Running> running) {
    if (running.isEmpty()) {
      return false;
    }
    if (alert.ticketId() != null
        && running.stream().anyMatch(r -> alert.ticketId().equals(r.ticketId()))) {
      return true;
    }
    WorkloadRef named = alert.workload();
    if (named != null) {
      return running.stream()
          .anyMatch(
              r -> named.namespace().equals(r.namespace()) && named.name().equals(r.deployment()));
    }
    Map<String, String> labels = alert.labels() == null ? Map.of() : alert.labels();
    String namespace = labels.get("namespace");
    return namespace != null && running.stream().anyMatch(r -> namespace.equals(r.namespace()));
  }
}
