package dev.patchops.platform;

/**
 * How much of a client's text we repeat, in an error or a log line: enough to recognise it, never
 * the whole of a megabyte string, and never a control character, which would forge a log line or
 * reach a terminal.
 */
public final class Echo {
  static final int MAX = 64;

  private Echo() {}

  /** For an error: at most 64 characters. */
  public static String cap(Object value) {
    return cap(value, MAX);
  }

  /** For a log line: at most {@code max} characters. */
  public static String cap(Object value, int max) {
    if (value == null) {
      return "null";
    }
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 32);
    int shown = 0;
    for (int i = 0; i < s.length() && shown < max; i++, shown++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > max) {
      out.append("… (").append(s.length()).append(" characters)");
    }
    return out.toString();
  }
}
