package dev.patchops.audit.trail;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChainHashTest {
  private static TrailRecord record(String payload, String actor) {
    return new TrailRecord(
        0,
        "event",
        "/patchops/ticket-service",
        "id-1",
        "dev.patchops.ticket.opened.v1",
        "1.0",
        "T-1",
        "T-1",
        actor,
        Instant.parse("2026-11-26T10:00:00.123456Z"),
        null,
        "patchops.tickets",
        0,
        42,
        "{\"ce_id\":\"id-1\"}",
        payload,
        null,
        null,
        null,
        null);
  }

  @Test
  void theCanonicalFormIsRfc8785WhateverTheKeyOrderOfThePayload() {
    TrailRecord a = record(ChainHash.canonicalize("{\"b\":1,\"a\":[2.0,\"x\"]}"), "alice");
    TrailRecord b = record(ChainHash.canonicalize("{ \"a\" : [2, \"x\"], \"b\" : 1.0 }"), "alice");
    assertThat(ChainHash.canonical(a)).isEqualTo(ChainHash.canonical(b));
    assertThat(ChainHash.canonical(a)).contains("\"data\":{\"a\":[2,\"x\"],\"b\":1}");
    assertThat(ChainHash.canonical(a)).startsWith("{\"actor\":\"alice\",\"data\":");
  }

  @Test
  void chainingNumbersLinksAndHashesEveryField() {
    TrailRecord parsed = record("{\"a\":1}", "alice");
    TrailRecord first = parsed.chained(1, Instant.parse("2026-11-26T10:00:01Z"), ChainHash.GENESIS);
    TrailRecord second = parsed.chained(2, first.ingestedAt(), first.hash());

    assertThat(first.hash()).matches("[0-9a-f]{64}");
    assertThat(second.prevHash()).isEqualTo(first.hash());
    assertThat(second.hash()).isNotEqualTo(first.hash());
    assertThat(
            record("{\"a\":1}", "mallory").chained(1, first.ingestedAt(), ChainHash.GENESIS).hash())
        .isNotEqualTo(first.hash());
    assertThat(
            record("{\"a\":2}", "alice").chained(1, first.ingestedAt(), ChainHash.GENESIS).hash())
        .isNotEqualTo(first.hash());
    assertThat(parsed.chained(1, first.ingestedAt(), "f".repeat(64)).hash())
        .isNotEqualTo(first.hash());
    // SHA-256("" || "") would be e3b0...; a known vector pins the digest and the hex encoding.
    assertThat(ChainHash.hash("", ""))
        .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  }

  @Test
  void theHandWrittenEnvelopeIsExactlyWhatTheJcsLibraryProduces() throws Exception {
    String nasty = "quote\" back\\ nl\n tab\t ctl\u0001\u001f del\u007f é € 😀 </script>";
    java.util.SortedMap<String, String> headers = new java.util.TreeMap<>();
    headers.put("ce_id", nasty);
    headers.put("Z-upper", null);
    headers.put("ä", "x");
    TrailRecord r =
        new TrailRecord(
                0,
                "dead-letter/" + nasty,
                "/src",
                nasty,
                null,
                null,
                nasty,
                null,
                null,
                null,
                null,
                "patchops.tickets",
                2,
                9_007_199_254_740_991L,
                ChainHash.canonicalHeaders(headers),
                ChainHash.canonicalize("{\"z\":1e2,\"a\":\"" + "\\u00e9" + "\"}"),
                new byte[] {0, (byte) 0xff},
                nasty,
                null,
                null)
            .chained(7, Instant.parse("2026-11-26T10:00:00.000001Z"), ChainHash.GENESIS);
    String canonical = ChainHash.canonical(r);
    assertThat(canonical)
        .isEqualTo(new org.erdtman.jcs.JsonCanonicalizer(canonical).getEncodedString());
    assertThat(r.headers())
        .isEqualTo(new org.erdtman.jcs.JsonCanonicalizer(r.headers()).getEncodedString());
  }
}
