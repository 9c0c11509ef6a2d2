package dev.patchops.testing.kube;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.sandbox.SimulatedKubelet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * A test's failures on the one simulated kubelet of the shared control plane, lifted when the test
 * closes the handle. The kubelet runs beside the control plane, in the test resource's class
 * loader, so a test reaches it through the sandbox's controls, as a user of the local stack does.
 */
public final class KubeletFaults implements AutoCloseable {
  static final String URL_PROPERTY = "devstack.test.kubelet.controls";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private KubeletFaults() {}

  public static KubeletFaults open() {
    return new KubeletFaults();
  }

  /** Pods whose image contains {@code imageFragment} behave so. */
  public KubeletFaults behave(String imageFragment, SimulatedKubelet.Behavior behavior) {
    send(
        "POST",
        "/faults/pods",
        object()
            .put("image", imageFragment)
            .put("behavior", behavior.name().toLowerCase().replace('_', '-')));
    return this;
  }

  /** Jobs whose first image contains {@code imageFragment} run {@code script}. */
  public KubeletFaults script(String imageFragment, SimulatedKubelet.JobScript script) {
    send("POST", "/faults/jobs", script(script).put("image", imageFragment));
    return this;
  }

  /** What a Job runs when no script matches its image. */
  public KubeletFaults byDefault(SimulatedKubelet.JobScript script) {
    send("POST", "/faults/jobs/default", script(script));
    return this;
  }

  /** Kept so a test reads as before: the kubelet is already running. */
  public KubeletFaults start() {
    return this;
  }

  @Override
  public void close() {
    send("DELETE", "/faults", null);
  }

  private static ObjectNode script(SimulatedKubelet.JobScript script) {
    return object()
        .put("exitCode", script.exitCode())
        .put("durationMs", script.duration().toMillis())
        .put("log", script.log());
  }

  private static ObjectNode object() {
    return JsonNodeFactory.instance.objectNode();
  }

  private static void send(String method, String path, ObjectNode body) {
    String base = System.getProperty(URL_PROPERTY);
    if (base == null) {
      throw new IllegalStateException(
          "no simulated kubelet: the test class lacks its module's infra");
    }
    try {
      HttpResponse<String> response =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + path))
                  .header("Content-Type", "application/json")
                  .method(
                      method,
                      body == null
                          ? HttpRequest.BodyPublishers.noBody()
                          : HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "the sandbox controls refused " + method + " " + path + ": " + response.body());
      }
    } catch (IOException e) {
      throw new IllegalStateException("the sandbox controls did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
