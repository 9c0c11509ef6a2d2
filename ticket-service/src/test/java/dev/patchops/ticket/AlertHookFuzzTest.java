package dev.patchops.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.testing.Leaks;
import dev.patchops.testing.PatchOpsTest;
import dev.patchops.testing.Schemathesis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The three alert hooks fed generated bad input with valid authentication: a valid webhook of each
 * hook's shape with random fields replaced by values of any JSON type (control characters, huge
 * strings, wrong types, nested trees), removed or added, and bodies that are not the shape at all.
 * Each answer must be a 202 receipt or a 4xx problem+json naming the field, never a 5xx, never a
 * class name or stack frame, and never slower than the timeout. The seed is printed, and {@code
 * -Dfuzz.seed} replays it.
 */
@QuarkusTest
@PatchOpsTest
class AlertHookFuzzTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private final Map<String, Integer> statuses = new TreeMap<>();
  private final List<String> failures = new ArrayList<>();
  private int requests;

  /** Cases per hook: six per schemathesis example, so the full run scales the hooks with it. */
  private static int cases() {
    return 6 * Schemathesis.examples();
  }

  @Test
  void generatedBadInputToEveryHookIsRefusedAs4xxNamingTheFieldNeverA5xx() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    Random random = new Random(seed);
    for (int i = 0; i < cases(); i++) {
      fuzz("alertmanager", alertmanager(), random);
      fuzz("grafana", grafana(), random);
      fuzz("pagerduty", pagerDuty(), random);
    }
    System.out.printf("hook fuzz: %d requests, seed %d, statuses %s%n", requests, seed, statuses);
    assertThat(failures).as("hook fuzz, %d requests, -Dfuzz.seed=%d", requests, seed).isEmpty();
    assertThat(requests).isEqualTo(3 * cases());
    // The generator must reach the ingest, not only the parser.
    assertThat(statuses.keySet()).anyMatch(k -> k.endsWith(" 202"));
    assertThat(statuses.keySet()).anyMatch(k -> k.endsWith(" 400"));
  }

  private void fuzz(String hook, ObjectNode valid, Random random) throws Exception {
    byte[] body = body(valid, random);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create("http://localhost:" + RestAssured.port + "/hooks/" + hook))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    sign(hook, request, body);
    requests++;
    String what = hook + " " + preview(body);
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      failures.add(what + ": no answer within " + TIMEOUT);
      return;
    }
    int status = response.statusCode();
    statuses.merge(hook + " " + status, 1, Integer::sum);
    String text = response.body();
    Leaks.find(text + "\n" + response.headers().map())
        .ifPresent(leak -> failures.add(what + ": " + status + " leaks " + leak));
    if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
      failures.add(what + ": " + status + " " + preview(text.getBytes(StandardCharsets.UTF_8)));
      return;
    }
    if (status == 202) {
      JsonNode receipt = JSON.readTree(text);
      if (!receipt.path("received").isInt()) {
        failures.add(what + ": 202 without a receipt: " + text);
      }
      return;
    }
    String type = response.headers().firstValue("Content-Type").orElse("");
    if (!type.startsWith("application/problem+json")) {
      failures.add(what + ": " + status + " without problem+json (" + type + ")");
      return;
    }
    JsonNode problem = JSON.readTree(text);
    if (status == 400 && problem.path("violations").path(0).path("field").asText().isBlank()) {
      failures.add(what + ": 400 naming no field: " + text);
    }
    if (status == 401 || status == 403) {
      failures.add(what + ": " + status + " although signed: " + text);
    }
  }

  private static void sign(String hook, HttpRequest.Builder request, byte[] body) {
    switch (hook) {
      case "alertmanager" -> request.header("Authorization", "Bearer test-alertmanager-token");
      case "grafana" -> {
        String now = String.valueOf(Instant.now().getEpochSecond());
        byte[] signed = concat((now + ":").getBytes(StandardCharsets.UTF_8), body);
        request
            .header("X-Grafana-Alerting-Signature", hmac("test-grafana-secret", signed))
            .header("X-Grafana-Alerting-Signature-Timestamp", now);
      }
      case "pagerduty" ->
          request.header("X-PagerDuty-Signature", "v1=" + hmac("test-pagerduty-secret", body));
      default -> throw new IllegalArgumentException(hook);
    }
  }

  private static String hmac(String secret, byte[] data) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(
          new javax.crypto.spec.SecretKeySpec(
              secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return java.util.HexFormat.of().formatHex(mac.doFinal(data));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] all = new byte[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  /** A mutated webhook most of the time; sometimes a tree of another shape, or not JSON at all. */
  private static byte[] body(ObjectNode valid, Random random) throws Exception {
    int kind = random.nextInt(20);
    if (kind == 0) {
      byte[] bytes = new byte[random.nextInt(64)];
      random.nextBytes(bytes);
      return bytes;
    }
    if (kind == 1) {
      return JSON.writeValueAsBytes(value(random, 3));
    }
    if (kind == 2) {
      // Truncated: a valid body cut short.
      byte[] whole = JSON.writeValueAsBytes(valid);
      return java.util.Arrays.copyOf(whole, random.nextInt(whole.length));
    }
    JsonNode tree = valid.deepCopy();
    int mutations = 1 + random.nextInt(3);
    for (int i = 0; i < mutations; i++) {
      tree = mutate(tree, random);
    }
    return JSON.writeValueAsBytes(tree);
  }

  /** One change at a random place of the tree: replace, remove, add or empty a node. */
  private static JsonNode mutate(JsonNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    JsonNode container = containers.get(random.nextInt(containers.size()));
    if (container instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      int action = random.nextInt(10);
      if (names.isEmpty() || action == 0) {
        object.set(string(random), value(random, 2));
      } else if (action == 1) {
        object.remove(names.get(random.nextInt(names.size())));
      } else {
        object.set(names.get(random.nextInt(names.size())), value(random, 2));
      }
    } else if (container instanceof ArrayNode array) {
      int action = random.nextInt(4);
      if (array.isEmpty() || action == 0) {
        array.add(value(random, 2));
      } else if (action == 1) {
        array.removeAll();
      } else if (action == 2) {
        array.set(random.nextInt(array.size()), value(random, 2));
      } else {
        for (int i = random.nextInt(5); i > 0; i--) {
          array.add(array.get(0).deepCopy());
        }
      }
    }
    return root;
  }

  private static void collect(JsonNode node, List<JsonNode> containers) {
    if (node.isContainerNode()) {
      containers.add(node);
      node.elements().forEachRemaining(child -> collect(child, containers));
    }
  }

  private static JsonNode value(Random random, int depth) {
    int kind = random.nextInt(depth > 0 ? 12 : 9);
    return switch (kind) {
      case 0 -> NODES.nullNode();
      case 1 -> NODES.booleanNode(random.nextBoolean());
      case 2 -> NODES.numberNode(random.nextInt());
      case 3 -> NODES.numberNode(random.nextLong());
      case 4 -> NODES.numberNode(random.nextGaussian() * 1e300);
      case 5 -> NODES.numberNode(new java.math.BigInteger(200, random));
      case 6, 7, 8 -> NODES.textNode(string(random));
      case 9, 10 -> {
        ObjectNode object = NODES.objectNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          object.set(string(random), value(random, depth - 1));
        }
        yield object;
      }
      default -> {
        ArrayNode array = NODES.arrayNode();
        for (int i = random.nextInt(4); i > 0; i--) {
          array.add(value(random, depth - 1));
        }
        yield array;
      }
    };
  }

  private static final List<String> NASTY =
      List.of(
          "",
          " ",
          "\u0000",
          "a\u0000b",
          "\u0001\u001f\u007f",
          "\r\nX-Injected: 1",
          "<script>alert(1)</script>",
          "' OR 1=1 --",
          "<!channel>",
          "ｃａｒｔ",
          "\u202ecart",
          "\uD83D\uDE00",
          "../../etc/passwd",
          "%00",
          "${jndi:ldap://x}",
          "firing",
          "resolved",
          "trigger",
          "resolve",
          "acknowledge",
          "4",
          "critical",
          "shop",
          "cart",
          "0001-01-01T00:00:00Z",
          "2026-12-05T07:00:00Z",
          "2026-13-45T25:61:61Z",
          "-999999999-01-01T00:00:00Z",
          "+999999999-12-31T23:59:59Z",
          "9999999999999999999999",
          "NaN",
          "null",
          "true");

  private static String string(Random random) {
    return switch (random.nextInt(6)) {
      case 0, 1, 2 -> NASTY.get(random.nextInt(NASTY.size()));
      case 3 -> "x".repeat(random.nextInt(4) == 0 ? 70_000 + random.nextInt(200_000) : 64);
      case 4 -> "w-" + UUID.randomUUID().toString().substring(0, 8);
      default -> {
        StringBuilder chars = new StringBuilder();
        for (int i = random.nextInt(40); i > 0; i--) {
          int c = random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000);
          // A lone surrogate cannot be written as UTF-8; raw bytes bodies cover invalid UTF-8.
          chars.appendCodePoint(Character.isSurrogate((char) c) ? 0xFFFD : c);
        }
        yield chars.toString();
      }
    };
  }

  private static String preview(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    return text.length() <= 300 ? text : text.substring(0, 300) + "… (" + body.length + " bytes)";
  }

  private static ObjectNode alertmanager() throws Exception {
    return (ObjectNode)
        JSON.readTree(
            AlertHookTest.alertmanager(
                "firing", UUID.randomUUID().toString(), "fuzz-am", "2026-12-05T07:00:00Z", null));
  }

  private static ObjectNode grafana() throws Exception {
    return (ObjectNode)
        JSON.readTree(AlertHookTest.grafana(UUID.randomUUID().toString(), "fuzz-grafana"));
  }

  private static ObjectNode pagerDuty() throws Exception {
    return (ObjectNode)
        JSON.readTree(AlertHookTest.pagerDuty("trigger", UUID.randomUUID().toString(), "fuzz-pd"));
  }
}
