package dev.patchops.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CRD of deploy/ against the one generated from its class: equal, or rewritten with {@code
 * -Dpatchops.crd.write=true}.
 */
public final class CommittedCrd {
  private CommittedCrd() {}

  /** The committed file, {@code <plural>.<group>-v1.yml} under deploy/kubernetes/crds/. */
  public static Path path(String file) {
    return Path.of("../deploy/kubernetes/crds/" + file);
  }

  public static String generate(Class<? extends HasMetadata> resource, String file)
      throws IOException {
    File dir = Files.createTempDirectory("crd").toFile();
    new CRDGenerator()
        .inOutputDir(dir)
        .forCRDVersions("v1")
        .withPostProcessor(new DeclaredColumnOrder(resource))
        .customResourceClasses(resource)
        .generate();
    return Files.readString(dir.toPath().resolve(file));
  }

  /** Fails unless the committed CRD is the generated one; {@code test} names how to regenerate. */
  public static void assertMatches(Class<? extends HasMetadata> resource, String file, String test)
      throws IOException {
    String generated = generate(resource, file);
    if (Boolean.getBoolean("patchops.crd.write")) {
      Files.writeString(path(file), generated);
    }
    assertThat(path(file))
        .as(
            "regenerate with ./mvnw -pl rollout-service test -Dtest="
                + test
                + " -Dpatchops.crd.write=true")
        .hasContent(generated);
  }
}
