package dev.patchops.devstack.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cache entry counts only when complete and intact: anything else is rebuilt. */
class KubeBinariesTest {
  @TempDir Path dir;

  private KubeBinaries entryWithAllBinaries() throws Exception {
    Files.createDirectories(dir.resolve("bin"));
    StringBuilder sums = new StringBuilder();
    for (String command : KubeBinaries.commands()) {
      Path binary = dir.resolve("bin").resolve(command);
      Files.writeString(binary, "#!/bin/sh\necho " + command + "\n");
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
      sums.append(KubeBinaries.sha256(binary)).append("  ").append(command).append('\n');
    }
    Files.writeString(dir.resolve(KubeBinaries.SUMS), sums);
    return new KubeBinaries(dir);
  }

  @Test
  void aCompleteIntactEntryIsUsed() throws Exception {
    assertThat(entryWithAllBinaries().verify()).isEmpty();
  }

  @Test
  void anEntryWhoseBuildNeverFinishedIsRebuilt() throws Exception {
    KubeBinaries binaries = entryWithAllBinaries();
    Files.delete(dir.resolve(KubeBinaries.SUMS));
    assertThat(binaries.verify()).hasValueSatisfying(p -> assertThat(p).contains("never built"));
  }

  @Test
  void aTruncatedOrMissingBinaryIsDetected() throws Exception {
    KubeBinaries binaries = entryWithAllBinaries();
    Files.writeString(dir.resolve("bin/kube-apiserver"), "#!/bin/sh\n");
    assertThat(binaries.verify())
        .hasValueSatisfying(
            p -> assertThat(p).isEqualTo("kube-apiserver does not match its recorded digest"));
    Files.delete(dir.resolve("bin/etcd"));
    Files.writeString(dir.resolve("bin/kube-apiserver"), "#!/bin/sh\necho kube-apiserver\n");
    assertThat(binaries.verify()).hasValue("etcd is missing");
  }

  @Test
  void aFailedBuildSaysInOneLineHowToUseAnExistingCluster() {
    String line = new KubeBinaries.BuildFailed("etcd: go build failed: no space left").oneLine();
    assertThat(line)
        .doesNotContain("\n")
        .startsWith("cannot build the local Kubernetes control plane: etcd: go build failed")
        .contains("PATCHOPS_KUBECONFIG");
  }

  @Test
  void theCacheEntryChangesWithTheGoModules() {
    assertThat(KubeBinaries.sourcesDigest()).hasSize(12).isEqualTo(KubeBinaries.sourcesDigest());
  }
}
