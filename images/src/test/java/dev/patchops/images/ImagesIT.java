package dev.patchops.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import dev.patchops.contract.Topics;
import dev.patchops.devstack.DebianPackages;
import dev.patchops.devstack.JwtIssuer;
import dev.patchops.devstack.KafkaBroker;
import dev.patchops.devstack.PostgresServer;
import java.io.Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images the build made, pushed with Jib to Debian's docker-registry on loopback and read back
 * with skopeo: what deploy/kubernetes expects of them, and the digest the build printed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImagesIT {

  private static final Duration TOOL_LIMIT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The service run under the OCI runtime: it needs only PostgreSQL, Kafka and a JWT key. */
  private static final String RUN_SERVICE = "ticket-service";

  @TempDir static Path work;

  static Path root;
  static Properties built;
  static Path baseImage;
  static ServiceImages.Settings settings;
  static LocalRegistry registry;
  static Path skopeo;
  static final Map<String, String> pushed = new ConcurrentHashMap<>();

  @BeforeAll
  static void startRegistry() throws Exception {
    root = Path.of("..").toRealPath();
    Path images = Path.of("target/images");
    built = new Properties();
    try (Reader reader = Files.newBufferedReader(images.resolve(ImageBuild.DIGESTS))) {
      built.load(reader);
    }
    baseImage = Path.of(Files.readString(images.resolve(ImageBuild.BASE_IMAGE)).strip());
    settings =
        new ServiceImages.Settings(
            built.getProperty("registry"),
            built.getProperty("tag"),
            built.getProperty("version"),
            built.getProperty("source"));
    skopeo = DebianPackages.require("/usr/bin/skopeo", "skopeo");
    registry = LocalRegistry.start(Files.createDirectories(work.resolve("registry")));
  }

  @AfterAll
  static void stopRegistry() throws Exception {
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  @Order(1)
  void jibPushesTheSameDigestTheBuildPrinted() throws Exception {
    for (String service : ServiceImages.SERVICES) {
      // A fresh layer cache: the push lays out every application layer again from the files,
      // so an equal digest shows the build is reproducible, not merely cached.
      Path freshCache = Files.createTempDirectory(work, "jib-" + service);
      JibContainer container =
          ServiceImages.plan(baseImage, ServiceImages.quarkusApp(root, service), service, settings)
              .containerize(
                  ServiceImages.caches(
                      Containerizer.to(RegistryImage.named(localReference(service)))
                          .setAllowInsecureRegistries(true),
                      ServiceImages.cacheRoot(),
                      freshCache));
      assertThat(container.getDigest().toString())
          .as("digest of %s pushed now vs printed by the build", service)
          .isEqualTo(built.getProperty(service));
      pushed.put(service, container.getDigest().toString());
    }
  }

  @Test
  @Order(2)
  void skopeoReadsBackWhatDeployExpects() throws Exception {
    assertThat(pushed).containsOnlyKeys(ServiceImages.SERVICES);
    for (String service : ServiceImages.SERVICES) {
      String raw = skopeo("inspect", "--raw", "docker://" + localReference(service));
      assertThat("sha256:" + sha256(raw))
          .as("manifest digest of %s as served by the registry", service)
          .isEqualTo(built.getProperty(service));
      JsonNode manifest = JSON.readTree(raw);
      assertThat(manifest.path("mediaType").asText())
          .isEqualTo("application/vnd.oci.image.manifest.v1+json");

      JsonNode config =
          JSON.readTree(skopeo("inspect", "--config", "docker://" + localReference(service)))
              .path("config");
      String user = config.path("User").asText();
      assertThat(user).as("user of %s", service).matches("[0-9]+(:[0-9]+)?");
      assertThat(Integer.parseInt(user.split(":")[0])).as("uid of %s", service).isPositive();

      List<String> entrypoint = new ArrayList<>();
      config.path("Entrypoint").forEach(arg -> entrypoint.add(arg.asText()));
      assertThat(entrypoint).isEqualTo(ServiceImages.ENTRYPOINT);
      assertThat(config.path("Cmd").isMissingNode() || config.path("Cmd").isEmpty()).isTrue();

      String deployment =
          Files.readString(root.resolve("deploy/kubernetes/base/" + service + ".yaml"));
      List<String> ports = new ArrayList<>();
      config.path("ExposedPorts").fieldNames().forEachRemaining(ports::add);
      assertThat(ports)
          .containsExactlyInAnyOrderElementsOf(
              containerPorts(deployment).stream().map(p -> p + "/tcp").toList());
      assertThat(deployment)
          .as("deploy/ names the image the build made")
          .contains("image: " + built.getProperty(service + ".image"));

      JsonNode labels = config.path("Labels");
      assertThat(labels.path(ServiceImages.LABEL_TITLE).asText()).isEqualTo(service);
      assertThat(labels.path(ServiceImages.LABEL_VERSION).asText())
          .isEqualTo(built.getProperty("version"));
      assertThat(labels.path(ServiceImages.LABEL_SOURCE).asText()).startsWith("https://");
    }
  }

  @Test
  @Order(3)
  void anImageServesItsHealthUnderRuncAsDeployRunsIt() throws Exception {
    assertThat(pushed).containsKey(RUN_SERVICE);
    Path layout = work.resolve("oci");
    Tool.run(
        TOOL_LIMIT,
        skopeo.toString(),
        "copy",
        "--src-tls-verify=false",
        "docker://" + localReference(RUN_SERVICE),
        "oci:" + layout + ":" + RUN_SERVICE);
    // The ConfigMap volume of deploy/: readable by the image's user through a read-only mount.
    Path jwt = Files.createDirectories(work.resolve("jwt"));
    Files.writeString(jwt.resolve("public.pem"), JwtIssuer.generate().publicKeyPem());
    Files.setPosixFilePermissions(jwt, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        jwt.resolve("public.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    int port = LocalRegistry.freePort();
    int managementPort = LocalRegistry.freePort();
    try (PostgresServer postgres = PostgresServer.start(work.resolve("postgres"), false);
        KafkaBroker kafka = KafkaBroker.create(Files.createDirectories(work.resolve("kafka")), 1)) {
      kafka.start(Duration.ofSeconds(120));
      createTopics(kafka);
      postgres.createDatabase("ticket");
      Map<String, String> env = new LinkedHashMap<>();
      // The Deployment's env, with this machine's PostgreSQL and Kafka; loopback only, since the
      // container shares the host's network for the probe.
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      // As deployed: the service's own SCRAM user (Strimzi's Secret in a cluster).
      env.put("PATCHOPS_KAFKA_USER", RUN_SERVICE);
      env.put("PATCHOPS_KAFKA_PASSWORD", kafka.password(RUN_SERVICE));
      env.put("PATCHOPS_DB_URL", postgres.jdbcUrl("ticket"));
      env.put("PATCHOPS_DB_USER", PostgresServer.USER);
      env.put("PATCHOPS_DB_PASSWORD", PostgresServer.PASSWORD);
      env.put("PATCHOPS_JWT_PUBLIC_KEY_LOCATION", "file:/etc/patchops/jwt/public.pem");
      env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
      env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
      env.put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
      env.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
      Path log = work.resolve("container.log");
      try (OciRuntime container =
          OciRuntime.unpack(
              layout, RUN_SERVICE, work.resolve("bundle"), env, Map.of("/etc/patchops/jwt", jwt))) {
        Process process = container.start(log);
        awaitHealth(process, log, managementPort, "/q/health/live");
        awaitHealth(process, log, managementPort, "/q/health/ready");

        long pid = container.pid();
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        assertThat(line(status, "Uid:"))
            .as("real, effective, saved uid")
            .isEqualTo("10001\t10001\t10001\t10001");
        assertThat(line(status, "CapEff:")).as("no capabilities").isEqualTo("0000000000000000");
        String mounts = Files.readString(Path.of("/proc/" + pid + "/mountinfo"));
        assertThat(mountOptions(mounts, "/")).as("root filesystem").startsWith("ro");
        assertThat(mountOptions(mounts, "/tmp")).as("/tmp").startsWith("rw");
        assertThat(Files.readString(log))
            .as("nothing tried to write outside /tmp")
            .doesNotContain("Read-only file system");
      } catch (AssertionError | RuntimeException e) {
        System.err.println("container output:\n" + Files.readString(log));
        throw e;
      }
    }
  }

  private static void awaitHealth(Process process, Path log, int port, String path)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
    String last = "no answer";
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "the container exited "
                + process.exitValue()
                + " before "
                + path
                + " answered 200: "
                + Files.readString(log));
      }
      try {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        last = response.statusCode() + " " + response.body();
      } catch (java.io.IOException notListeningYet) {
        last = notListeningYet.toString();
      }
      process.waitFor(250, java.util.concurrent.TimeUnit.MILLISECONDS);
    }
    throw new AssertionError(path + " did not answer 200 within 3 minutes; last: " + last);
  }

  private static void createTopics(KafkaBroker kafka) throws Exception {
    try (Admin admin = Admin.create(kafka.clientConfig(KafkaBroker.ADMIN))) {
      admin
          .createTopics(
              Topics.ALL.stream()
                  .map(topic -> new NewTopic(topic, Optional.of(1), Optional.empty()))
                  .toList())
          .all()
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static String line(String status, String key) {
    return status
        .lines()
        .filter(l -> l.startsWith(key))
        .map(l -> l.substring(key.length()).strip())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " in /proc status"));
  }

  /** The per-mount options (field 6) of the mount at {@code point} in a mountinfo listing. */
  private static String mountOptions(String mountinfo, String point) {
    return mountinfo
        .lines()
        .map(l -> l.split(" "))
        .filter(fields -> fields[4].equals(point))
        .reduce((first, second) -> second) // the topmost mount wins
        .map(fields -> fields[5])
        .orElseThrow(() -> new AssertionError("no mount at " + point + ":\n" + mountinfo));
  }

  private static List<Integer> containerPorts(String deployment) {
    Matcher port = Pattern.compile("containerPort: (\\d+)").matcher(deployment);
    List<Integer> ports = new ArrayList<>();
    while (port.find()) {
      ports.add(Integer.parseInt(port.group(1)));
    }
    assertThat(ports).as("the Deployment's containerPorts").isNotEmpty();
    return ports;
  }

  static String localReference(String service) {
    return registry.host() + "/patchops/" + service + ":" + settings.tag();
  }

  static String skopeo(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(skopeo.toString()));
    command.add(args[0]);
    command.add("--tls-verify=false");
    command.addAll(List.of(args).subList(1, args.length));
    return Tool.run(TOOL_LIMIT, command.toArray(String[]::new));
  }

  static String sha256(String text) throws Exception {
    return HexFormat.of()
        .formatHex(
            MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
