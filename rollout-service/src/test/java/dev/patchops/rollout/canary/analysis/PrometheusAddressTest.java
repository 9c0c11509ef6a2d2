package dev.patchops.rollout.canary.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A rollout's Prometheus address is parsed and compared, never prefix-matched. */
class PrometheusAddressTest {
  static final List<String> ALLOWED =
      List.of("http://prometheus:9090", "https://thanos.monitoring.svc/prometheus/");

  @Test
  void theConfiguredAddressesAreAccepted() {
    assertThat(PrometheusAddress.require("http://prometheus:9090", ALLOWED))
        .hasToString("http://prometheus:9090");
    assertThat(PrometheusAddress.require("http://prometheus:9090/", ALLOWED))
        .hasToString("http://prometheus:9090");
    assertThat(PrometheusAddress.require("HTTP://Prometheus:9090", ALLOWED))
        .hasToString("http://prometheus:9090");
    // The default port spelt out or left out is the same address.
    assertThat(PrometheusAddress.require("https://thanos.monitoring.svc:443/prometheus", ALLOWED))
        .hasToString("https://thanos.monitoring.svc:443/prometheus");
  }

  /** The string that passed the old prefix check while naming host 127.0.0.1. */
  @Test
  void userInfoThatLooksLikeTheAllowedHostIsRefused() {
    assertThatThrownBy(
            () -> PrometheusAddress.require("http://prometheus:9090@127.0.0.1:18099", ALLOWED))
        .isInstanceOf(PrometheusAddress.Refused.class)
        .hasMessageContaining("user info");
    assertThat("http://prometheus:9090@127.0.0.1:18099").startsWith(ALLOWED.get(0));
  }

  @Test
  void anythingButTheExactSchemeHostPortAndPathIsRefused() {
    for (String tricky :
        List.of(
            "http://user@prometheus:9090",
            "http://prometheus:9090.evil.example",
            "http://prometheus:9091",
            "https://prometheus:9090",
            "http://prometheus",
            "http://prometheus.evil:9090",
            "http://prometheus:9090/api/v1/admin",
            "http://prometheus:9090?x=1",
            "http://prometheus:9090#x",
            "http://prometheus:9090\\@127.0.0.1",
            "http://127.0.0.1:9090",
            "https://thanos.monitoring.svc/",
            "https://thanos.monitoring.svc/prometheus/../admin",
            "ftp://prometheus:9090",
            "//prometheus:9090",
            "",
            "http://prom_etheus:9090")) {
      assertThatThrownBy(() -> PrometheusAddress.require(tricky, ALLOWED))
          .as(tricky)
          .isInstanceOf(PrometheusAddress.Refused.class);
    }
    assertThatThrownBy(() -> PrometheusAddress.require(null, ALLOWED))
        .isInstanceOf(PrometheusAddress.Refused.class);
  }

  @Test
  void aConfiguredEntryThatDoesNotParseAdmitsNothing() {
    assertThatThrownBy(
            () -> PrometheusAddress.require("http://a:1", List.of("http://x@a:1", "not a url")))
        .isInstanceOf(PrometheusAddress.Refused.class);
  }
}
