package dev.patchops.rollout.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchops.rollout.config.RolloutConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Webhook notifications on revert, failed revert and promotion. A notification is queued in the
 * transaction of the change it announces, then sent with retries, so a crash loses none.
 */
@ApplicationScoped
public class Notifier {
  private static final Logger LOG = Logger.getLogger(Notifier.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum Kind {
    REVERTED,
    REVERT_FAILING,
    REVERT_COMPLETED,
    PROMOTED,
    REFUSED,
    /** A revision's test run failed: its author is told, with the failures and a link. */
    TESTS_FAILED
  }

  @Inject RolloutConfig config;
  @Inject dev.patchops.rollout.leader.Leadership leadership;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
  private volatile boolean running;
  private Thread sender;

  @Transactional(Transactional.TxType.MANDATORY)
  public void queue(
      String rolloutId, Kind kind, String ticketId, String text, Map<String, ?> details) {
    if (config.notifications().url().isEmpty()) {
      return;
    }
    Notification n = new Notification();
    n.rolloutId = rolloutId;
    n.kind = kind.name();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("kind", kind.name());
    body.put("rolloutId", rolloutId);
    body.put("ticketId", ticketId);
    body.put("text", text);
    body.put("details", details);
    body.put("at", Instant.now().toString());
    n.body = body;
    n.createdAt = Instant.now();
    n.nextAttemptAt = n.createdAt;
    n.persist();
  }

  void start(@Observes StartupEvent ignored) {
    if (config.notifications().url().isEmpty()) {
      return;
    }
    running = true;
    sender = new Thread(this::loop, "rollout-notifier");
    sender.setDaemon(true);
    sender.start();
  }

  void stop(@Observes ShutdownEvent ignored) {
    running = false;
    if (sender != null) {
      sender.interrupt();
    }
  }

  private void loop() {
    while (running) {
      try {
        if (!leadership.isLeader()) {
          // One sender for the whole service, or every replica would post each notification.
          Thread.sleep(250);
          continue;
        }
        List<Notification> due = due();
        for (Notification n : due) {
          boolean ok = send(n.body);
          settle(n.id, ok);
        }
        Thread.sleep(due.isEmpty() ? 250 : 10);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warnf(e, "notification sweep failed; retried on the next sweep");
      }
    }
  }

  @Transactional
  List<Notification> due() {
    return Notification.<Notification>find(
            "sentAt is null and attempts < ?1 and nextAttemptAt <= ?2 order by id",
            config.notifications().maxAttempts(),
            Instant.now())
        .page(0, 20)
        .list();
  }

  @Transactional
  void settle(Long id, boolean sent) {
    Notification n = Notification.findById(id);
    n.attempts++;
    if (sent) {
      n.sentAt = Instant.now();
    } else {
      n.nextAttemptAt = Instant.now().plusMillis(Math.min(60_000, 500L << Math.min(n.attempts, 7)));
    }
  }

  private boolean send(Map<String, Object> body) {
    try {
      String payload =
          "slack".equalsIgnoreCase(config.notifications().format())
              ? JSON.writeValueAsString(slack(body))
              : JSON.writeValueAsString(body);
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(config.notifications().url().orElseThrow()))
              .timeout(Duration.ofSeconds(5))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(payload))
              .build();
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return status >= 200 && status < 300;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      LOG.debugf("webhook not reached: %s", e.toString());
      return false;
    }
  }

  /** Slack's incoming-webhook shape: a fallback text plus one section block. */
  static Map<String, Object> slack(Map<String, Object> body) {
    String emoji =
        switch (String.valueOf(body.get("kind"))) {
          case "PROMOTED", "REVERT_COMPLETED" -> ":white_check_mark:";
          case "REVERT_FAILING" -> ":rotating_light:";
          default -> ":warning:";
        };
    String text =
        emoji
            + " *PatchOps* "
            + mrkdwn(body.get("ticketId"))
            + (body.get("rolloutId") == null ? "" : " / " + mrkdwn(body.get("rolloutId")))
            + ": "
            + mrkdwn(body.get("text"));
    return Map.of(
        "text",
        text,
        "blocks",
        List.of(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", text))));
  }

  /**
   * Text from outside (alert names, reasons) shown as text: in Slack's mrkdwn, {@code <!channel>}
   * pings everyone and {@code <https://x|y>} is a disguised link, so the three control characters
   * are escaped as Slack documents.
   */
  static String mrkdwn(Object value) {
    return String.valueOf(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
