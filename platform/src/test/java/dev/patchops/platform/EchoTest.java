package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EchoTest {
  @Test
  void shortTextIsRepeatedAsItIs() {
    assertThat(Echo.cap("SEV9")).isEqualTo("SEV9");
    assertThat(Echo.cap(null)).isEqualTo("null");
  }

  @Test
  void longTextIsCutAndSaysHowLongItWas() {
    assertThat(Echo.cap("x".repeat(5_000_000)))
        .isEqualTo("x".repeat(64) + "… (5000000 characters)");
    assertThat(Echo.cap("y".repeat(300), 200)).hasSize(200 + " (300 characters)".length() + 1);
  }

  @Test
  void controlCharactersCannotForgeALogLine() {
    assertThat(Echo.cap("id\n2026-12-05 ERROR forged\u0000"))
        .isEqualTo("id\\u000a2026-12-05 ERROR forged\\u0000")
        .doesNotContain("\n");
  }
}
