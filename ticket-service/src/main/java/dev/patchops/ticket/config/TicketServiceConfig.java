package dev.patchops.ticket.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** The ticket-service's own settings, under {@code ticket.*}. */
@ConfigMapping(prefix = "ticket")
public interface TicketServiceConfig {
  Hooks hooks();

  TokenCache tokenCache();

  GroupCommit groupCommit();

  /**
   * Software tickets opened over REST at the same time share one transaction (see {@code
   * tickets.TicketGroupCommit}). A writer takes whatever is queued when it is free, so under light
   * load every ticket commits alone and waits for no one.
   */
  interface GroupCommit {
    /**
     * Tickets per transaction at most; 1 turns grouping off: every ticket commits alone, in its
     * caller's thread.
     */
    @WithDefault("64")
    int maxBatch();

    /**
     * Threads committing batches. One batches best: everything that arrives during its commit forms
     * the next batch (measured: 1,586 and 1,617 creates/s with one, 1,437 with two, same machine
     * and minutes). More only help if a single commit could stall for long.
     */
    @WithDefault("1")
    int writers();
  }

  /**
   * Verified JWTs, kept by their exact text until they expire (or {@code max-age} passes), so a
   * token used for many requests pays for its RS256 verification once.
   */
  interface TokenCache {
    /** 0 turns the cache off: every request verifies its token. */
    @WithDefault("10000")
    int maxSize();

    @WithDefault("5m")
    Duration maxAge();
  }

  interface Hooks {
    /** A firing alert for a workload whose ticket was resolved this recently reopens it. */
    @WithDefault("24h")
    Duration reopenWindow();

    /**
     * How long a PagerDuty delivery's body is remembered: the same body again within it is a
     * duplicate, and a trigger whose payload timestamp is older than it is refused as a replay.
     */
    @WithDefault("30d")
    Duration replayWindow();

    Hook alertmanager();

    Hook grafana();

    Hook pagerduty();
  }

  /**
   * A hook is closed unless a token or an HMAC secret is configured: nothing is open by default.
   */
  interface Hook {
    /** Expected in {@code Authorization: Bearer <token>}. */
    Optional<String> token();

    /** HMAC-SHA256 secret for signed bodies (Grafana, PagerDuty v3). */
    Optional<String> hmacSecret();

    /** Header carrying the signature. */
    Optional<String> signatureHeader();

    /** Header carrying the signed timestamp (Grafana); when present, it is part of the input. */
    Optional<String> timestampHeader();

    /** Signed requests older than this are replays. */
    @WithDefault("5m")
    Duration maxSkew();
  }
}
