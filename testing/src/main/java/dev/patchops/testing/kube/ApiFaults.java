package dev.patchops.testing.kube;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Makes the API server, as the service under test sees it, fail: a request of {@code method} on
 * {@code path} gets the API's Status {@code code} with {@code message}, {@code times} times (0:
 * until {@link #clear}). The real API server is not touched by a failed request.
 */
public final class ApiFaults {
  static final String URL_PROPERTY = "devstack.test.kube.faults";

  private ApiFaults() {}

  public static void fail(
      String method, String path, int code, String reason, String message, int times) {
    String status =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
            .objectNode()
            .put("kind", "Status")
            .put("apiVersion", "v1")
            .put("status", "Failure")
            .put("reason", reason)
            .put("message", message)
            .put("code", code)
            .toString();
    String fault =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
            .objectNode()
            .put("method", method)
            .put("path", path)
            .put("code", code)
            .put("body", status)
            .put("times", times)
            .toString();
    send(HttpRequest.newBuilder(control()).POST(HttpRequest.BodyPublishers.ofString(fault)));
  }

  /** How many requests of {@code method} on {@code path} the registered faults answered. */
  public static int served(String method, String path) {
    try {
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(control()).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      int served = 0;
      for (var fault :
          new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body())) {
        if (fault.path("method").asText().equalsIgnoreCase(method)
            && fault.path("path").asText().equals(path)) {
          served += fault.path("served").asInt();
        }
      }
      return served;
    } catch (IOException e) {
      throw new IllegalStateException("the fault proxy did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every fault is lifted. */
  public static void clear() {
    send(HttpRequest.newBuilder(control()).DELETE());
  }

  private static URI control() {
    String url = System.getProperty(URL_PROPERTY);
    if (url == null) {
      throw new IllegalStateException("no fault proxy: the test class lacks its module's infra");
    }
    return URI.create(url + ApiFaultProxy.CONTROL);
  }

  private static void send(HttpRequest.Builder request) {
    try {
      int status =
          HttpClient.newHttpClient()
              .send(request.build(), HttpResponse.BodyHandlers.discarding())
              .statusCode();
      if (status != 204) {
        throw new IllegalStateException("the fault proxy answered " + status);
      }
    } catch (IOException e) {
      throw new IllegalStateException("the fault proxy did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
