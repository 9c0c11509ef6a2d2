package dev.patchops.kubectl;

/** A failure the user reads as one line on stderr; the plugin then exits 1, as kubectl does. */
final class PluginException extends RuntimeException {
  PluginException(String message) {
    super(message, null, false, false);
  }
}
