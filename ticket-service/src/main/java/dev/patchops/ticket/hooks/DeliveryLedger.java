package dev.patchops.ticket.hooks;

import dev.patchops.ticket.config.TicketServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;

/**
 * The bodies a signed hook without a timestamp has delivered (PagerDuty). Its signature covers the
 * body only, so whoever captured a trigger could send it again after the alert resolved and open a
 * new occurrence, or revert a rollout. A body seen within {@code ticket.hooks.replay-window} is a
 * duplicate instead: it changes nothing, which is also right for PagerDuty's own retries.
 */
@ApplicationScoped
public class DeliveryLedger {
  @Inject EntityManager entityManager;
  @Inject TicketServiceConfig config;

  /** Records the body; true the first time within the window, false for a repeat. */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean firstDelivery(String source, byte[] body) {
    Instant now = Instant.now();
    String hash = sha256(body);
    // Expired entries go a few at a time, with the deliveries that would meet them.
    entityManager
        .createNativeQuery(
            "delete from hook_delivery where ctid in (select ctid from hook_delivery"
                + " where first_seen_at < ?1 limit 100)")
        .setParameter(1, now.minus(config.hooks().replayWindow()))
        .executeUpdate();
    int inserted =
        entityManager
            .createNativeQuery(
                "insert into hook_delivery (source, body_sha256, first_seen_at) values (?1, ?2, ?3)"
                    + " on conflict (source, body_sha256) do nothing")
            .setParameter(1, source)
            .setParameter(2, hash)
            .setParameter(3, now)
            .executeUpdate();
    if (inserted == 1) {
      return true;
    }
    entityManager
        .createNativeQuery(
            "update hook_delivery set deliveries = deliveries + 1 where source = ?1 and"
                + " body_sha256 = ?2")
        .setParameter(1, source)
        .setParameter(2, hash)
        .executeUpdate();
    return false;
  }

  static String sha256(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
