package dev.patchops.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.platform.config.RequiredSettings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class RequiredSettingsTest {
  private static Properties file() {
    Properties p = new Properties();
    p.setProperty("patchops.service-name", "audit-service");
    p.setProperty("%witness.patchops.service-name", "audit-witness");
    p.setProperty("%prod.quarkus.datasource.jdbc.url", "${PATCHOPS_DB_URL}");
    p.setProperty("%prod.quarkus.datasource.password", "${PATCHOPS_DB_PASSWORD}");
    p.setProperty("%prod.quarkus.flyway.jdbc-url", "${PATCHOPS_DB_URL}");
    p.setProperty("%prod.rollout.notifications.url", "${PATCHOPS_NOTIFY_URL:}");
    p.setProperty("%prod.audit.signing.private-key", "${PATCHOPS_SIGNING_KEY}");
    p.setProperty("%witness.audit.signing.private-key", "");
    p.setProperty("%witness.quarkus.datasource.jdbc.url", "${PATCHOPS_WITNESS_DB_URL}");
    p.setProperty("%dev.audit.signing.private-key", "${PATCHOPS_DEV_ONLY}");
    p.setProperty("quarkus.flyway.placeholders.appUser", "${quarkus.datasource.username}");
    return p;
  }

  private static String refusal(Map<String, String> env, Map<String, String> sys) {
    return RequiredSettings.refusal(file(), sys::get, env::get).orElse(null);
  }

  @Test
  void everyVariableTheProdProfileNamesWithoutADefaultIsRequiredInOneLine() {
    String line = refusal(Map.of(), Map.of());
    assertThat(line)
        .isEqualTo(
            "audit-service refuses to start in profile prod: required settings"
                + " PATCHOPS_DB_PASSWORD (quarkus.datasource.password),"
                + " PATCHOPS_DB_URL (quarkus.datasource.jdbc.url, quarkus.flyway.jdbc-url),"
                + " PATCHOPS_SIGNING_KEY (audit.signing.private-key) are not set"
                + " (docs/deploy.md: which Secret or ConfigMap each comes from)")
        .doesNotContain("\n")
        .doesNotContain("PATCHOPS_NOTIFY_URL")
        .doesNotContain("PATCHOPS_DEV_ONLY")
        .doesNotContain("quarkus.datasource.username");
  }

  @Test
  void nothingMissingNoRefusal() {
    assertThat(
            refusal(
                Map.of(
                    "PATCHOPS_DB_URL", "jdbc:postgresql://db/audit",
                    "PATCHOPS_DB_PASSWORD", "s",
                    "PATCHOPS_SIGNING_KEY", "k"),
                Map.of()))
        .isNull();
  }

  @Test
  void aBlankVariableIsMissing() {
    assertThat(
            refusal(
                Map.of(
                    "PATCHOPS_DB_URL", "jdbc:postgresql://db/audit",
                    "PATCHOPS_DB_PASSWORD", " ",
                    "PATCHOPS_SIGNING_KEY", "k"),
                Map.of()))
        .contains("required setting PATCHOPS_DB_PASSWORD (quarkus.datasource.password) is not set");
  }

  @Test
  void aPropertySetDirectlyNeedsNoVariable() {
    assertThat(
            refusal(
                Map.of(
                    "PATCHOPS_DB_URL", "jdbc:postgresql://db/audit",
                    "QUARKUS_DATASOURCE_PASSWORD", "s"),
                Map.of("audit.signing.private-key", "k")))
        .isNull();
  }

  @Test
  void aLaterProfileOverridesWhatAnEarlierOneRequires() {
    String line = refusal(Map.of("QUARKUS_PROFILE", "prod,witness"), Map.of());
    assertThat(line)
        .startsWith("audit-witness refuses to start in profile prod,witness:")
        .contains("PATCHOPS_WITNESS_DB_URL (quarkus.datasource.jdbc.url)")
        .contains("PATCHOPS_DB_URL (quarkus.flyway.jdbc-url)")
        .doesNotContain("PATCHOPS_SIGNING_KEY");
    assertThat(RequiredSettings.profiles(k -> "dev", k -> "prod")).isEqualTo(List.of("dev"));
  }
}
