package dev.patchops.ticket.security;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tokens whose signature and claims were verified, by their exact text. A hit is only a token
 * byte-for-byte equal to one that passed verification, and only until its own expiry; nothing a
 * verifier would refuse is ever served from here. Bounded: when full, expired entries go first,
 * then everything.
 */
public final class VerifiedTokens<T> {
  private record Entry<T>(T token, long validUntilEpochSecond) {}

  private final Map<String, Entry<T>> entries = new ConcurrentHashMap<>();
  private final int maxSize;
  private final long maxAgeSeconds;
  private final LongSupplier nowEpochSecond;

  public VerifiedTokens(int maxSize, long maxAgeSeconds, LongSupplier nowEpochSecond) {
    this.maxSize = maxSize;
    this.maxAgeSeconds = maxAgeSeconds;
    this.nowEpochSecond = nowEpochSecond;
  }

  /** The verified token, or null if it was not verified or has expired since. */
  public T get(String raw) {
    Entry<T> entry = entries.get(raw);
    if (entry == null) {
      return null;
    }
    if (nowEpochSecond.getAsLong() >= entry.validUntilEpochSecond()) {
      entries.remove(raw, entry);
      return null;
    }
    return entry.token();
  }

  /**
   * @param expiresAtEpochSecond the token's {@code exp}; a token without one is not kept
   */
  public void put(String raw, T verified, long expiresAtEpochSecond) {
    if (maxSize <= 0 || expiresAtEpochSecond <= 0) {
      return;
    }
    long now = nowEpochSecond.getAsLong();
    long validUntil = Math.min(expiresAtEpochSecond, now + maxAgeSeconds);
    if (validUntil <= now) {
      return;
    }
    if (entries.size() >= maxSize) {
      entries.values().removeIf(e -> e.validUntilEpochSecond() <= now);
      if (entries.size() >= maxSize) {
        entries.clear();
      }
    }
    entries.put(raw, new Entry<>(verified, validUntil));
  }

  public int size() {
    return entries.size();
  }
}
