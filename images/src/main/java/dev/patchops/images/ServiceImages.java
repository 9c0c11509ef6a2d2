package dev.patchops.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What each service's image is: the Debian base built by {@code images/base/build-base.sh} plus the
 * service's Quarkus fast-jar ({@code target/quarkus-app}) in layers ordered from the least to the
 * most often changed. The build ({@link ImageBuild}) and the test push the same plan, so they must
 * agree on the digest.
 */
public final class ServiceImages {

  public static final List<String> SERVICES =
      List.of("ticket-service", "test-orchestrator", "rollout-service", "audit-service");

  /** Matches the Deployments in deploy/kubernetes/base: {@code runAsNonRoot}, port {@code http}. */
  public static final String USER = "10001:10001";

  public static final int HTTP_PORT = 8080;

  /** Health and metrics: the packaged services' management interface. */
  public static final int MANAGEMENT_PORT = 9000;

  public static final String APP_DIR = "/deployments";
  public static final String JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";

  /**
   * The root filesystem is read-only in deploy/: the JVM and Quarkus write only below /tmp (an
   * emptyDir there), which is also the JVM's default tmpdir; said here so that no base can move it.
   */
  public static final List<String> ENTRYPOINT =
      List.of(
          JAVA,
          "-XX:MaxRAMPercentage=75.0",
          "-XX:+ExitOnOutOfMemoryError",
          "-Djava.io.tmpdir=/tmp",
          "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
          "-jar",
          APP_DIR + "/quarkus-run.jar");

  public static final String LABEL_SOURCE = "org.opencontainers.image.source";
  public static final String LABEL_VERSION = "org.opencontainers.image.version";
  public static final String LABEL_TITLE = "org.opencontainers.image.title";

  /** Where the images go and what they say about themselves. */
  public record Settings(String registry, String tag, String version, String source) {

    public String reference(String service) {
      return registry + "/" + service + ":" + tag;
    }
  }

  private ServiceImages() {}

  /** The fast-jar of a service in the source tree rooted at {@code root}. */
  public static Path quarkusApp(Path root, String service) {
    return root.resolve(service).resolve("target/quarkus-app");
  }

  public static JibContainerBuilder plan(
      Path baseImageTar, Path quarkusApp, String service, Settings settings)
      throws InvalidImageReferenceException {
    if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
      throw new IllegalStateException(
          "no fast-jar at " + quarkusApp + ": package " + service + " first");
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(LABEL_SOURCE, settings.source());
    labels.put(LABEL_VERSION, settings.version());
    labels.put(LABEL_TITLE, service);
    return Jib.from(Jib.TAR_IMAGE_PREFIX + baseImageTar.toAbsolutePath())
        .setFormat(ImageFormat.OCI)
        // Jib's own default, stated: a fixed creation time is half of reproducibility; the other
        // half is that Jib gives every file the same mtime and sorts entries.
        .setCreationTime(Instant.EPOCH)
        .setFileEntriesLayers(layers(quarkusApp))
        .setEntrypoint(ENTRYPOINT)
        .setProgramArguments(List.of())
        .setUser(USER)
        .setWorkingDirectory(AbsoluteUnixPath.get(APP_DIR))
        .setExposedPorts(Port.tcp(HTTP_PORT), Port.tcp(MANAGEMENT_PORT))
        .setLabels(labels);
  }

  /** Jib's caches: the base layers (shared, keyed by digest) and this build's own. */
  public static Containerizer caches(Containerizer containerizer, Path cacheRoot, Path appCache) {
    return containerizer
        .setBaseImageLayersCache(cacheRoot.resolve("jib"))
        .setApplicationLayersCache(appCache)
        .setToolName("patchops-images")
        .addEventHandler(
            LogEvent.class,
            event -> {
              if (event.getLevel() == LogEvent.Level.ERROR
                  || event.getLevel() == LogEvent.Level.WARN) {
                System.err.println("[jib] " + event.getMessage());
              }
            });
  }

  public static Path cacheRoot() {
    return dev.patchops.devstack.kube.KubeBinaries.cacheRoot();
  }

  /**
   * Third-party libraries first (they change with a Quarkus upgrade), then PatchOps' own modules,
   * then the application, then Quarkus' generated bytecode: a code change re-pushes only the last,
   * small layers.
   */
  private static List<FileEntriesLayer> layers(Path app) {
    AbsoluteUnixPath into = AbsoluteUnixPath.get(APP_DIR);
    FileEntriesLayer.Builder boot = FileEntriesLayer.builder().setName("boot libraries");
    FileEntriesLayer.Builder deps = FileEntriesLayer.builder().setName("dependencies");
    FileEntriesLayer.Builder own = FileEntriesLayer.builder().setName("patchops libraries");
    FileEntriesLayer.Builder application = FileEntriesLayer.builder().setName("application");
    FileEntriesLayer.Builder generated = FileEntriesLayer.builder().setName("generated bytecode");
    for (Path file : files(app)) {
      String relative = app.relativize(file).toString().replace('\\', '/');
      AbsoluteUnixPath target = into.resolve(relative);
      if (relative.startsWith("lib/boot/")) {
        boot.addEntry(file, target);
      } else if (relative.startsWith("lib/main/dev.patchops.")) {
        own.addEntry(file, target);
      } else if (relative.startsWith("lib/main/")) {
        deps.addEntry(file, target);
      } else if (relative.endsWith("-bytecode.jar")) {
        // Quarkus 3.34 writes these two differently on every build (see docs/architecture.md,
        // "Container images"): alone in the last layer, they are all that a rebuild changes.
        generated.addEntry(file, target);
      } else {
        application.addEntry(file, target);
      }
    }
    return List.of(boot.build(), deps.build(), own.build(), application.build(), generated.build());
  }

  private static List<Path> files(Path root) {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
