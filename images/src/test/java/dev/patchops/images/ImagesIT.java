package dev.patchops.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
      assertThat(ports).containsExactly(containerPort(deployment) + "/tcp");
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

  private static int containerPort(String deployment) {
    Matcher port = Pattern.compile("containerPort: (\\d+)").matcher(deployment);
    assertThat(port.find()).as("a containerPort in the Deployment").isTrue();
    return Integer.parseInt(port.group(1));
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
