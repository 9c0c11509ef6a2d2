package dev.patchops.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The part of a kubelet's HTTPS API that {@code pods/log} reaches: the API server proxies a log
 * request to {@code /containerLogs/{namespace}/{pod}/{container}} on the Node's address and kubelet
 * port, as it would on a cluster. Serves on loopback only, with a self-signed certificate made by
 * the JDK's keytool (the API server does not verify kubelets unless told to).
 */
final class KubeletLogServer implements AutoCloseable {
  private final HttpsServer server;
  private final Map<String, String> logs = new ConcurrentHashMap<>();

  private KubeletLogServer(HttpsServer server) {
    this.server = server;
  }

  static KubeletLogServer start() {
    try {
      HttpsServer server =
          HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
      server.setHttpsConfigurator(new HttpsConfigurator(selfSigned()));
      KubeletLogServer logs = new KubeletLogServer(server);
      server.createContext("/containerLogs/", logs::handle);
      server.setExecutor(
          Executors.newFixedThreadPool(
              2,
              r -> {
                Thread t = new Thread(r, "simulated-kubelet-logs");
                t.setDaemon(true);
                return t;
              }));
      server.start();
      return logs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  int port() {
    return server.getAddress().getPort();
  }

  void put(String namespace, String pod, String container, String text) {
    logs.put(key(namespace, pod, container), text);
  }

  void forgetPod(String namespace, String pod) {
    logs.keySet().removeIf(k -> k.startsWith(namespace + "/" + pod + "/"));
  }

  private static String key(String namespace, String pod, String container) {
    return namespace + "/" + pod + "/" + container;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      List<String> parts =
          Arrays.asList(exchange.getRequestURI().getPath().split("/")).subList(2, 5);
      String text = logs.getOrDefault(key(parts.get(0), parts.get(1), parts.get(2)), "");
      text = limit(text, query(exchange.getRequestURI().getRawQuery()));
      byte[] body = text.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
      if (body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IndexOutOfBoundsException e) {
      exchange.sendResponseHeaders(404, -1);
    }
  }

  /** {@code tailLines} and {@code limitBytes}, as a kubelet applies them. */
  static String limit(String text, Map<String, String> query) {
    String tail = query.get("tailLines");
    if (tail != null) {
      String[] lines = text.split("(?<=\n)");
      int keep = Math.max(0, Integer.parseInt(tail));
      text =
          String.join(
              "", Arrays.asList(lines).subList(Math.max(0, lines.length - keep), lines.length));
    }
    String bytes = query.get("limitBytes");
    if (bytes != null) {
      byte[] raw = text.getBytes(StandardCharsets.UTF_8);
      int keep = (int) Math.min(raw.length, Long.parseLong(bytes));
      text = new String(raw, 0, keep, StandardCharsets.UTF_8);
    }
    return text;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        String[] kv = pair.split("=", 2);
        query.put(
            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return query;
  }

  private static SSLContext selfSigned() throws IOException {
    Path dir = Files.createTempDirectory("patchops-kubelet-");
    Path store = dir.resolve("kubelet.p12");
    char[] password = "simulated".toCharArray();
    try {
      Process keytool =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                  "-genkeypair",
                  "-keyalg",
                  "EC",
                  "-groupname",
                  "secp256r1",
                  "-alias",
                  "kubelet",
                  "-dname",
                  "CN=patchops-simulated-kubelet",
                  "-ext",
                  "san=ip:127.0.0.1",
                  "-validity",
                  "3650",
                  "-storetype",
                  "PKCS12",
                  "-keystore",
                  store.toString(),
                  "-storepass",
                  new String(password))
              .redirectErrorStream(true)
              .start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore keys = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keys.load(in, password);
      }
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(keys, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(factory.getKeyManagers(), null, null);
      return context;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("cannot make the kubelet's certificate", e);
    } finally {
      Files.deleteIfExists(store);
      Files.deleteIfExists(dir);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
