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
    // Its command line names postgres, like a server a dead test JVM left behind.
    Process orphan = new ProcessBuilder("sh", "-c", "sleep 300", "postgres").start();
    Process unrelated = new ProcessBuilder("sleep", "300").start();
    Process deadOwner = new ProcessBuilder("true").start();
    deadOwner.waitFor(10, TimeUnit.SECONDS);
    Path stale = Files.createDirectories(tmp.resolve(Workspace.PREFIX + "stale"));
    Files.writeString(stale.resolve("owner.pid"), Long.toString(deadOwner.pid()));
    Files.createDirectories(stale.resolve("kafka"));
    Files.writeString(stale.resolve("kafka/server.pid"), Long.toString(orphan.pid()));
    Files.createDirectories(stale.resolve("postgres"));
    // A recycled pid: the file points at a process that is not ours.
    Files.writeString(stale.resolve("postgres/postmaster.pid"), unrelated.pid() + "\n/data\n");

    Path live = Files.createDirectories(tmp.resolve(Workspace.PREFIX + "live"));
    Files.writeString(live.resolve("owner.pid"), Long.toString(ProcessHandle.current().pid()));

    Path otherDir = Files.createDirectories(tmp.resolve("something-else"));

    try {
      assertThat(Workspace.reapStale(tmp)).isEqualTo(1);
      assertThat(orphan.waitFor(10, TimeUnit.SECONDS)).as("orphan server killed").isTrue();
      assertThat(stale).doesNotExist();
      assertThat(live).exists();
      assertThat(otherDir).exists();
      assertThat(unrelated.isAlive()).as("unrelated process spared").isTrue();
    } finally {
      orphan.destroyForcibly();
      unrelated.destroyForcibly();
    }
  }
}
