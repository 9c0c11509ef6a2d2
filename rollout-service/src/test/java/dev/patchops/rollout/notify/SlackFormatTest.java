package dev.patchops.rollout.notify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SlackFormatTest {
  @Test
  void textFromOutsideCannotPingOrLinkInSlack() {
    Map<String, Object> body =
        Map.of(
            "kind", "REVERTED",
            "ticketId", "TCK-9",
            "rolloutId", "r<1>",
            "text", "alert <!channel> & <https://evil.example|docs> fired");
    Map<String, Object> slack = Notifier.slack(body);
    String text = (String) slack.get("text");
    assertThat(text)
        .contains("alert &lt;!channel&gt; &amp; &lt;https://evil.example|docs&gt; fired")
        .contains("TCK-9 / r&lt;1&gt;")
        .doesNotContain("<!channel>")
        .doesNotContain("<https://");
    @SuppressWarnings("unchecked")
    Map<String, Object> section = (Map<String, Object>) ((List<?>) slack.get("blocks")).get(0);
    assertThat(((Map<?, ?>) section.get("text")).get("text")).isEqualTo(text);
  }
}
