package dev.patchops.ticket.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {
  private final AtomicLong now = new AtomicLong(1_000);

  @Test
  void aTokenIsServedOnlyUntilItsOwnExpiry() {
    VerifiedTokens<String> tokens = new VerifiedTokens<>(10, 300, now::get);
    tokens.put("a.b.c", "alice", 1_060);
    assertThat(tokens.get("a.b.c")).isEqualTo("alice");
    now.set(1_059);
    assertThat(tokens.get("a.b.c")).isEqualTo("alice");
    now.set(1_060);
    assertThat(tokens.get("a.b.c")).isNull();
    assertThat(tokens.size()).isZero();
  }

  @Test
  void maxAgeCapsALongLivedToken() {
    VerifiedTokens<String> tokens = new VerifiedTokens<>(10, 300, now::get);
    tokens.put("a.b.c", "alice", 100_000);
    now.set(1_299);
    assertThat(tokens.get("a.b.c")).isEqualTo("alice");
    now.set(1_300);
    assertThat(tokens.get("a.b.c")).isNull();
  }

  @Test
  void onlyTheExactTextHits() {
    VerifiedTokens<String> tokens = new VerifiedTokens<>(10, 300, now::get);
    tokens.put("a.b.c", "alice", 2_000);
    assertThat(tokens.get("a.b.d")).isNull();
    assertThat(tokens.get("a.b.c ")).isNull();
  }

  @Test
  void expiredTokensAndTokensWithoutExpiryAreNotKept() {
    VerifiedTokens<String> tokens = new VerifiedTokens<>(10, 300, now::get);
    tokens.put("old", "alice", 999);
    tokens.put("no-exp", "bob", 0);
    assertThat(tokens.size()).isZero();
  }

  @Test
  void staysWithinItsSizeAndDropsExpiredEntriesFirst() {
    VerifiedTokens<String> tokens = new VerifiedTokens<>(3, 300, now::get);
    tokens.put("t1", "1", 1_010);
    tokens.put("t2", "2", 2_000);
    tokens.put("t3", "3", 2_000);
    now.set(1_020);
    tokens.put("t4", "4", 2_000);
    assertThat(tokens.size()).isEqualTo(3);
    assertThat(tokens.get("t2")).isEqualTo("2");
    tokens.put("t5", "5", 2_000);
    assertThat(tokens.size()).isLessThanOrEqualTo(3);
    assertThat(tokens.get("t5")).isEqualTo("5");
  }

  @Test
  void sizeZeroKeepsNothing() {
    VerifiedTokens<String> tokens = new VerifiedTokens<>(0, 300, now::get);
    tokens.put("a.b.c", "alice", 2_000);
    assertThat(tokens.get("a.b.c")).isNull();
  }
}
