package dev.patchops.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {

  @Test
  void reapsServersWhoseOwnerDiedAndKeepsLiveOnes(@TempDir Path tmp) throws Exception {
    Process orphan = new ProcessBuilder("sleep", "300").start();
    Process deadOwner = new ProcessBuilder("true").start();
    deadOwner.waitFor(10, TimeUnit.SECONDS);
    Path stale = Files.createDirectories(tmp.resolve(Workspace.PREFIX + "stale"));
    Files.writeString(stale.resolve("owner.pid"), Long.toString(deadOwner.pid()));
    Files.createDirectories(stale.resolve("kafka"));
    Files.writeString(stale.resolve("kafka/server.pid"), Long.toString(orphan.pid()));

    Path live = Files.createDirectories(tmp.resolve(Workspace.PREFIX + "live"));
    Files.writeString(live.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));

    Path unrelated = Files.createDirectories(tmp.resolve("something-else"));

    try {
      assertThat(Workspace.reapStale(tmp)).isEqualTo(1);
      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("orphan server killed").isTrue();
      assertThat(stale).doesNotExist();
      assertThat(live).exists();
      assertThat(unrelated).exists();
    } finally {
      orphan.destroyForcibly();
    }
  }
}
