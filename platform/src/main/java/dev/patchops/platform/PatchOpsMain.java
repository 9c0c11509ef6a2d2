package dev.patchops.platform;

import dev.patchops.platform.config.RequiredSettings;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Optional;

/**
 * Every service's entry point: a missing required setting (a Secret not created, a key not in it)
 * ends the process at once with one line naming the variable, before Quarkus logs a stack trace
 * about the property it feeds.
 */
@QuarkusMain
public final class PatchOpsMain {
  private PatchOpsMain() {}

  public static void main(String... args) {
    // Dev mode has its own defaults; the check is for the packaged application.
    Optional<String> refusal =
        LaunchMode.current() == LaunchMode.NORMAL ? RequiredSettings.refusal() : Optional.empty();
    if (refusal.isPresent()) {
      System.err.println(refusal.get());
      System.exit(1);
    }
    Quarkus.run(args);
  }
}
