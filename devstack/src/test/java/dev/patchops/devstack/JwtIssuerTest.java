package dev.patchops.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.Signature;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtIssuerTest {

  @Test
  void tokensFromAReloadedKeyVerifyWithTheOriginalPublicKey(@TempDir Path dir) throws Exception {
    JwtIssuer original = JwtIssuer.generate();
    original.save(dir.resolve("private.pem"), dir.resolve("public.pem"));
    JwtIssuer reloaded = JwtIssuer.load(dir.resolve("private.pem"), dir.resolve("public.pem"));

    String token =
        reloaded.mint("ada \"the\" auditor", List.of("auditor", "admin"), Duration.ofMinutes(5));
    String[] parts = token.split("\\.");
    assertThat(parts).hasSize(3);

    Signature verifier = Signature.getInstance("SHA256withRSA");
    verifier.initVerify(original.keyPair().getPublic());
    verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(verifier.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();

    String claims = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    assertThat(claims)
        .contains("\"iss\":\"https://patchops.dev\"")
        .contains("\"aud\":\"patchops\"")
        .contains("\"upn\":\"ada \\\"the\\\" auditor\"")
        .contains("\"groups\":[\"patchops-auditor\",\"patchops-admin\"]");
    assertThat(original.publicKeyPem()).startsWith("-----BEGIN PUBLIC KEY-----");
  }
}
