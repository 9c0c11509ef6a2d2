package dev.patchops.testing;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An alert storm as Alertmanager sends it when it groups by alertname: alert i fires on workload
 * {@code svc-NNN} (i mod {@code workloads}) of one namespace, and each webhook notification carries
 * up to {@code group} alerts. Fingerprints are unique per call, so two storms never join.
 */
public final class AlertStorm {
  private AlertStorm() {}

  /** The notifications' JSON bodies, in the order to send them. */
  public static List<String> groups(
      String namespace, int alerts, int workloads, int group, Instant startsAt) {
    List<String> groups = new ArrayList<>();
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int first = 0; first < alerts; first += group) {
      StringBuilder body =
          new StringBuilder(
              "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"StormAlert\\\"}\","
                  + "\"truncatedAlerts\":0,\"status\":\"firing\",\"receiver\":\"patchops\","
                  + "\"groupLabels\":{\"alertname\":\"StormAlert\"},"
                  + "\"commonLabels\":{\"alertname\":\"StormAlert\"},\"commonAnnotations\":{},"
                  + "\"externalURL\":\"http://alertmanager:9093\",\"alerts\":[");
      for (int i = first; i < Math.min(alerts, first + group); i++) {
        if (i > first) {
          body.append(',');
        }
        body.append(
            String.format(
                "{\"status\":\"firing\",\"labels\":{\"alertname\":\"StormAlert\","
                    + "\"severity\":\"critical\",\"namespace\":\"%s\",\"deployment\":\"svc-%03d\","
                    + "\"instance\":\"pod-%d\"},\"annotations\":{\"summary\":\"error rate"
                    + " above 5%%\"},\"startsAt\":\"%s\",\"endsAt\":\"0001-01-01T00:00:00Z\","
                    + "\"generatorURL\":\"http://prometheus:9090/graph\","
                    + "\"fingerprint\":\"%s-%06d\"}",
                namespace, i % workloads, i, startsAt, run, i));
      }
      groups.add(body.append("]}").toString());
    }
    return groups;
  }
}
