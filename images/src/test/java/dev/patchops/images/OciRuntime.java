package dev.patchops.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.devstack.DebianPackages;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An image unpacked by umoci into an OCI bundle and run by Debian's runc, configured as
 * deploy/kubernetes runs it: read-only root, an empty writable /tmp, no capabilities, the image's
 * own user. The host's network namespace is kept so that the test can probe the service.
 */
final class OciRuntime implements AutoCloseable {

  private static final Duration LIMIT = Duration.ofMinutes(3);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path runc;
  private final Path bundle;
  private final String id;
  private Process process;

  private OciRuntime(Path runc, Path bundle, String id) {
    this.runc = runc;
    this.bundle = bundle;
    this.id = id;
  }

  /** Unpacks {@code ociLayout:tag} into a bundle whose config says how deploy/ runs the image. */
  static OciRuntime unpack(
      Path ociLayout, String tag, Path bundle, Map<String, String> env, Map<String, Path> readOnly)
      throws Exception {
    Path umoci = DebianPackages.require("/usr/bin/umoci", "umoci");
    Path runc = DebianPackages.require("/usr/sbin/runc", "runc");
    Tool.run(
        LIMIT, umoci.toString(), "unpack", "--image", ociLayout + ":" + tag, bundle.toString());
    Path configFile = bundle.resolve("config.json");
    ObjectNode config = (ObjectNode) JSON.readTree(configFile.toFile());
    ObjectNode process = (ObjectNode) config.path("process");
    process.put("terminal", false);
    ArrayNode environment = (ArrayNode) process.path("env");
    env.forEach((name, value) -> environment.add(name + "=" + value));
    // capabilities: drop [ALL]
    ObjectNode capabilities = process.putObject("capabilities");
    for (String set : List.of("bounding", "effective", "inheritable", "permitted", "ambient")) {
      capabilities.putArray(set);
    }
    // readOnlyRootFilesystem: true
    ObjectNode root = config.putObject("root");
    root.put("path", bundle.resolve("rootfs").toAbsolutePath().toString());
    root.put("readonly", true);
    ArrayNode mounts = (ArrayNode) config.path("mounts");
    // the tmp emptyDir
    ObjectNode tmp = mounts.addObject();
    tmp.put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs");
    tmp.putArray("options").add("nosuid").add("nodev").add("mode=1777").add("size=256m");
    // ConfigMap and Secret volumes, mounted read-only
    readOnly.forEach(
        (destination, source) -> {
          ObjectNode mount = mounts.addObject();
          mount.put("destination", destination).put("type", "bind");
          mount.put("source", source.toAbsolutePath().toString());
          mount.putArray("options").add("rbind").add("ro");
        });
    ArrayNode namespaces = (ArrayNode) config.path("linux").path("namespaces");
    for (int i = namespaces.size() - 1; i >= 0; i--) {
      if ("network".equals(namespaces.get(i).path("type").asText())) {
        namespaces.remove(i);
      }
    }
    JSON.writerWithDefaultPrettyPrinter().writeValue(configFile.toFile(), config);
    return new OciRuntime(runc, bundle, "patchops-it-" + ProcessHandle.current().pid());
  }

  ObjectNode config() throws IOException {
    return (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
  }

  /** Starts the container's process; its output goes to {@code log}. */
  Process start(Path log) throws IOException {
    process =
        new ProcessBuilder(runc.toString(), "run", "--bundle", bundle.toString(), id)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    return process;
  }

  /** runc exec in the running container, as the image's user. */
  Tool.Result exec(String... command) throws Exception {
    List<String> line = new ArrayList<>(List.of(runc.toString(), "exec", id));
    line.addAll(List.of(command));
    return Tool.attempt(LIMIT, line.toArray(String[]::new));
  }

  /** The container's init process as the host sees it, from {@code runc state}. */
  long pid() throws Exception {
    return JSON.readTree(Tool.run(LIMIT, runc.toString(), "state", id)).path("pid").asLong();
  }

  @Override
  public void close() throws Exception {
    Tool.attempt(LIMIT, runc.toString(), "kill", id, "KILL");
    if (process != null) {
      process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS);
      process.destroyForcibly();
    }
    Tool.attempt(LIMIT, runc.toString(), "delete", "--force", id);
  }
}
