package dev.patchops.ticket.hooks;

import dev.patchops.ticket.tickets.rest.TicketApi;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether the labels an alert names its target with can be Kubernetes names. An alert is outside
 * input: a label such as {@code <script>}, {@code ' OR 1=1 --} or a name of 300 characters names no
 * workload that can exist, so it must not open a ticket for one. The REST API holds workloads to
 * the same rules (DNS-1123).
 */
public final class AlertTargets {
  /** A namespace: a DNS-1123 label, as the REST API has it. */
  private static final Pattern LABEL = Pattern.compile(TicketApi.DNS_LABEL);

  /** A Deployment or a node: a DNS-1123 subdomain, as the REST API has it. */
  private static final Pattern SUBDOMAIN = Pattern.compile(TicketApi.DNS_SUBDOMAIN);

  private AlertTargets() {}

  /** Why the target labels cannot be used, or null when they can (or are absent). */
  public static String refusal(Map<String, String> labels) {
    String namespace = labels.get("namespace");
    if (namespace != null && !(namespace.length() <= 63 && LABEL.matcher(namespace).matches())) {
      return "label namespace is not a Kubernetes namespace name (a DNS-1123 label of at most 63"
          + " characters)";
    }
    for (String key : new String[] {"deployment", "node"}) {
      String value = labels.get(key);
      if (value != null && !(value.length() <= 253 && SUBDOMAIN.matcher(value).matches())) {
        return "label "
            + key
            + " is not a Kubernetes object name (a DNS-1123 subdomain of at most 253"
            + " characters)";
      }
    }
    return null;
  }
}
