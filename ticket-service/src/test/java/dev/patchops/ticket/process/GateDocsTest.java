package dev.patchops.ticket.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/architecture.md lists the gates as the enum defines them, every one of them. */
class GateDocsTest {

  @Test
  void architectureListsEveryGate() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "architecture.md"));
    for (String line : Gate.markdownTable()) {
      assertThat(doc).as("docs/architecture.md lists %s", line).contains(line);
    }
  }
}
