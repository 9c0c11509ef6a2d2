package dev.patchops.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.ByteBuffer;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A short command spends most of its time starting things up one after the other on one core:
 * Jackson's object mapper, the TLS stack, the model's deserializers. None of them needs the others,
 * so the mapper and its deserializers are made on a second thread while the main one reads the
 * kubeconfig and initialises TLS; the machine's second core does the work the main thread would
 * later wait for.
 */
final class Warmup {
  /** The shape of every object the plugin reads: what Jackson must know before the first answer. */
  private static final String SAMPLE =
      """
      {"apiVersion":"patchops.dev/v1alpha1","kind":"PatchRollout",
       "metadata":{"name":"n","namespace":"ns","uid":"u","resourceVersion":"1","generation":1,
        "creationTimestamp":"2026-01-01T00:00:00Z","labels":{"a":"b"},"annotations":{"a":"b"},
        "ownerReferences":[{"apiVersion":"v1","kind":"K","name":"n","uid":"u","controller":true}],
        "managedFields":[{"manager":"m","operation":"Update","apiVersion":"v1","time":
         "2026-01-01T00:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
       "spec":{"steps":[{"weight":10}]},"status":{"conditions":[{"type":"t"}]}}
      """;

  private Warmup() {}

  /** The client's serialization, made ready to read objects, on a thread of its own. */
  static CompletableFuture<KubernetesSerialization> serialization() {
    CompletableFuture<KubernetesSerialization> ready = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                KubernetesSerialization s = new KubernetesSerialization(new ObjectMapper(), false);
                s.unmarshal(SAMPLE, GenericKubernetesResource.class);
                ready.complete(s);
              } catch (RuntimeException | Error e) {
                ready.completeExceptionally(e);
              }
            },
            "warmup");
    t.setDaemon(true);
    t.start();
    return ready;
  }

  /**
   * Takes the TLS stack through a client hello without a server, so its classes and key-share
   * generation are ready before the real handshake. A failure only means no head start.
   */
  static void tls() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {NOTHING}, null);
      SSLEngine engine = context.createSSLEngine("warmup.invalid", 443);
      engine.setUseClientMode(true);
      engine.beginHandshake();
      ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
      engine.wrap(ByteBuffer.allocate(0), out);
    } catch (Exception e) {
      // No head start; the real handshake reports any real problem.
    }
  }

  /** Trusts nothing: the warm-up engine meets no server, and must never be able to trust one. */
  private static final X509TrustManager NOTHING =
      new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
          throw new CertificateException("the warm-up engine trusts nobody");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
            throws CertificateException {
          throw new CertificateException("the warm-up engine trusts nobody");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      };
}
