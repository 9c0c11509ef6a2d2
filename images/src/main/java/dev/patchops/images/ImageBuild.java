package dev.patchops.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Builds the four images at {@code package} time: the base image first (cached by its script), then
 * each service into a tarball under {@code target/images}, or pushed to {@code --registry} with
 * {@code --push=true}. Prints and records each digest in {@code digests.properties}.
 */
public final class ImageBuild {

  public static final String DIGESTS = "digests.properties";
  public static final String BASE_IMAGE = "base-image.path";

  private ImageBuild() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (!arg.startsWith("--") || eq < 0) {
        throw new IllegalArgumentException("expected --name=value, got " + arg);
      }
      options.put(arg.substring(2, eq), arg.substring(eq + 1));
    }
    Path root = Path.of(required(options, "root")).toRealPath();
    Path out = Path.of(required(options, "out"));
    ServiceImages.Settings settings =
        new ServiceImages.Settings(
            required(options, "registry"),
            required(options, "tag"),
            required(options, "version"),
            required(options, "source"));
    boolean push = Boolean.parseBoolean(options.getOrDefault("push", "false"));
    boolean insecure = Boolean.parseBoolean(options.getOrDefault("insecure", "false"));
    Files.createDirectories(out);

    long start = System.nanoTime();
    Path base = baseImage(root, ServiceImages.cacheRoot());
    System.out.printf("[images] base image %s (%.1f s)%n", base, seconds(start));
    Files.writeString(out.resolve(BASE_IMAGE), base.toString());

    Properties digests = new Properties();
    // What the images were built with, so that the test can build the same plan again.
    digests.setProperty("registry", settings.registry());
    digests.setProperty("tag", settings.tag());
    digests.setProperty("version", settings.version());
    digests.setProperty("source", settings.source());
    for (String service : ServiceImages.SERVICES) {
      long began = System.nanoTime();
      String reference = settings.reference(service);
      Containerizer target =
          push
              ? Containerizer.to(registry(reference))
              : Containerizer.to(
                  TarImage.at(out.resolve(service + ".tar"))
                      .named(ImageReference.parse(reference)));
      JibContainer built =
          ServiceImages.plan(base, ServiceImages.quarkusApp(root, service), service, settings)
              .containerize(
                  ServiceImages.caches(
                      target.setAllowInsecureRegistries(insecure),
                      ServiceImages.cacheRoot(),
                      out.resolve("jib-cache")));
      digests.setProperty(service, built.getDigest().toString());
      digests.setProperty(service + ".image", reference);
      System.out.printf(
          "[images] %s %s@%s (%.1f s)%n",
          push ? "pushed" : "built", reference, built.getDigest(), seconds(began));
    }
    try (var writer = Files.newBufferedWriter(out.resolve(DIGESTS))) {
      digests.store(writer, "image digests of this build");
    }
  }

  /** Runs the project's base image script; its last line of output is the tarball's path. */
  public static Path baseImage(Path root, Path cacheRoot) throws IOException, InterruptedException {
    Path script = root.resolve("images/base/build-base.sh");
    Process process =
        new ProcessBuilder("bash", script.toString(), cacheRoot.toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String last = null;
    try (BufferedReader lines =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        last = line;
      }
    }
    int exit = process.waitFor();
    if (exit != 0 || last == null) {
      throw new IllegalStateException(script + " failed (exit " + exit + "), see its output above");
    }
    return Path.of(last.trim());
  }

  /** A registry target with the user's credentials: env variables, else the Docker config. */
  public static RegistryImage registry(String reference) throws Exception {
    ImageReference parsed = ImageReference.parse(reference);
    RegistryImage image = RegistryImage.named(parsed);
    String user = System.getenv("PATCHOPS_REGISTRY_USERNAME");
    String password = System.getenv("PATCHOPS_REGISTRY_PASSWORD");
    if (user != null && password != null) {
      return image.addCredential(user, password);
    }
    return image.addCredentialRetriever(
        CredentialRetrieverFactory.forImage(parsed, event -> {}).dockerConfig());
  }

  private static String required(Map<String, String> options, String name) {
    String value = options.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing --" + name);
    }
    return value;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }
}
