package dev.patchops.sandbox;

import dev.patchops.devstack.kube.KubeBinaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The real CustomResourceDefinitions of the operators that deploy/ uses (Prometheus Operator,
 * Gateway API, Strimzi), as their projects release them, so that an API server checks PatchOps'
 * objects of those kinds against the schemas a real cluster has. Never a CRD written here.
 *
 * <p>Prometheus Operator and Gateway API publish their CRDs inside their Go modules: the module is
 * fetched with {@code go mod download} (checked against the Go checksum database and the sum pinned
 * here) and the CRD files copied into the cache. Strimzi publishes no artifact with the YAML; it
 * generates its released CRDs from the model classes of {@code io.strimzi:api} with its own {@code
 * io.strimzi:crd-generator}, both on Maven Central: this runs that generator, on those classes,
 * with the arguments of Strimzi's own build for {@code 043-Crd-kafkatopic.yaml} and {@code
 * 044-Crd-kafkauser.yaml}. Everything lands in {@code ~/.cache/patchops/crds}, outside the
 * repository.
 */
final class ThirdPartyCrds {
  /** Must match the io.strimzi test dependencies of this module's pom. */
  static final String STRIMZI_VERSION = "0.45.0";

  private record GoModule(String path, String version, String sum, String crdDir) {}

  private static final Map<String, GoModule> GO_MODULES =
      Map.of(
          "monitoring.coreos.com",
          new GoModule(
              "github.com/prometheus-operator/prometheus-operator",
              "v0.85.0",
              "h1:M5xLCLEoaW2IJfnuCwFzzpL+jSVQu3KGT84Pye+fW8s=",
              "example/prometheus-operator-crd"),
          "gateway.networking.k8s.io",
          new GoModule(
              "sigs.k8s.io/gateway-api",
              "v1.2.1",
              "h1:fZZ/+RyRb+Y5tGkwxFKuYuSRQHu9dZtbjenblleOLHM=",
              "config/crd/standard"));

  /** Strimzi kinds and their model classes, as in Strimzi's api/pom.xml. */
  private static final Map<String, String> STRIMZI_CLASSES =
      Map.of(
          "KafkaTopic", "io.strimzi.api.kafka.model.topic.KafkaTopic",
          "KafkaUser", "io.strimzi.api.kafka.model.user.KafkaUser");

  private ThirdPartyCrds() {}

  /** Where {@code group}'s CRDs come from, for docs and messages; empty when no source is known. */
  static Optional<String> source(String group) {
    if (GO_MODULES.containsKey(group)) {
      GoModule m = GO_MODULES.get(group);
      return Optional.of("Go module " + m.path() + "@" + m.version() + " " + m.crdDir());
    }
    if ("kafka.strimzi.io".equals(group)) {
      return Optional.of("io.strimzi:api:" + STRIMZI_VERSION + " via io.strimzi:crd-generator");
    }
    return Optional.empty();
  }

  /** The real CRD file of {@code kind} in {@code group}, fetched or generated once. */
  static Path crd(String group, String kind) {
    try {
      if (GO_MODULES.containsKey(group)) {
        return fromGoModule(GO_MODULES.get(group), group, kind);
      }
      if ("kafka.strimzi.io".equals(group) && STRIMZI_CLASSES.containsKey(kind)) {
        return fromStrimzi(kind);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException(
        "no released CRD is known for "
            + kind
            + "."
            + group
            + ": add its source to ThirdPartyCrds, or leave the kind out of deploy/");
  }

  private static Path cache(String name) throws IOException {
    Path dir = KubeBinaries.cacheRoot().resolve("crds").resolve(name);
    Files.createDirectories(dir);
    return dir;
  }

  private static Path fromGoModule(GoModule module, String group, String kind)
      throws IOException, InterruptedException {
    Path dir = cache(module.path().replace('/', '_') + "@" + module.version());
    Path cached = find(dir, group, kind);
    if (cached != null) {
      return cached;
    }
    Path work = Files.createTempDirectory("patchops-gomod");
    String out =
        exec(
            work,
            List.of(go(), "mod", "download", "-json", module.path() + "@" + module.version()),
            Map.of());
    String sum = field(out, "Sum");
    if (!module.sum().equals(sum)) {
      throw new IllegalStateException(
          module.path() + "@" + module.version() + " has sum " + sum + ", pinned " + module.sum());
    }
    Path source = Path.of(field(out, "Dir")).resolve(module.crdDir());
    try (Stream<Path> files = Files.list(source)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Path tmp = dir.resolve(file.getFileName() + ".partial");
        Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, dir.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      }
    }
    Path found = find(dir, group, kind);
    if (found == null) {
      throw new IllegalStateException(
          module.path() + "@" + module.version() + " ships no CRD of " + kind + "." + group);
    }
    return found;
  }

  /** The file of the directory whose CRD names {@code kind} in {@code group}. */
  private static Path find(Path dir, String group, String kind) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().startsWith(group + "_")).toList()) {
        String text = Files.readString(file);
        if (Pattern.compile("(?m)^\\s+kind: " + kind + "\\s*$").matcher(text).find()
            && text.contains("group: " + group)) {
          return file;
        }
      }
    }
    return null;
  }

  private static Path fromStrimzi(String kind) throws IOException, InterruptedException {
    Path dir = cache("strimzi@" + STRIMZI_VERSION);
    Path target = dir.resolve(kind.toLowerCase() + ".yaml");
    if (Files.isRegularFile(target) && Files.size(target) > 0) {
      return target;
    }
    Path partial = dir.resolve(kind.toLowerCase() + ".yaml.partial");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(
        List.of(
            "-cp",
            // Surefire's own class path jar only points at the real one; the generator needs it.
            System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
            "io.strimzi.crdgenerator.CrdGenerator",
            "--label",
            "app:strimzi",
            "--label",
            "strimzi.io/crd-install:true",
            "--target-kube",
            "1.16+",
            "--crd-api-version",
            "v1",
            "--api-versions",
            "v1alpha1,v1beta1,v1beta2",
            "--storage-version",
            "v1beta2",
            "--yaml",
            STRIMZI_CLASSES.get(kind) + "=" + partial));
    exec(dir, command, Map.of());
    if (!Files.isRegularFile(partial) || Files.size(partial) == 0) {
      throw new IllegalStateException("Strimzi's CRD generator wrote no CRD for " + kind);
    }
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\\s*\"([^\"]*)\"").matcher(json);
    if (!m.find()) {
      throw new IllegalStateException("go mod download gave no " + name + ": " + json);
    }
    return m.group(1);
  }

  private static String go() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "go"))) {
        return Path.of(dir, "go").toString();
      }
    }
    if (Files.isExecutable(Path.of("/usr/local/go/bin/go"))) {
      return "/usr/local/go/bin/go";
    }
    throw new IllegalStateException("Go is needed to fetch the operators' CRDs and is not found");
  }

  private static String exec(Path dir, List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command.subList(0, 3)) + " timed out");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          String.join(" ", command.subList(0, Math.min(4, command.size())))
              + " failed: "
              + text.strip().replace('\n', ' '));
    }
    return text;
  }
}
