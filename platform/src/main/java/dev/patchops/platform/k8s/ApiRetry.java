package dev.patchops.platform.k8s;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/**
 * Retries of Kubernetes API calls on top of the client's own: an overloaded API server (5xx, 429)
 * or a connection it closed under a pooled client are worth another try, a refusal is not.
 */
public final class ApiRetry {
  private ApiRetry() {}

  /** Runs {@code call} up to {@code attempts} times, backing off 100 ms, 200 ms, 400 ms, … */
  public static <T> T withRetry(int attempts, Supplier<T> call) {
    int max = Math.max(1, attempts);
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (KubernetesClientException e) {
        if (attempt >= max || !isTransient(e)) {
          throw e;
        }
        sleep(100L << Math.min(attempt - 1, 6));
      }
    }
  }

  /**
   * No HTTP status at all (the client reports -1 or 0: the connection failed or was closed), too
   * many requests, or a server error.
   */
  public static boolean isTransient(KubernetesClientException e) {
    int code = e.getCode();
    return code <= 0 || code == 429 || code >= 500;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying an API call", e);
    }
  }
}
