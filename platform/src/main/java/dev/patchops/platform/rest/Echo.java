package dev.patchops.platform.rest;

/**
 * How much of a refused value an error repeats: enough to recognise it, never the whole of a
 * megabyte string, and never a control character that would end up in a log or a terminal.
 */
public final class Echo {
  static final int MAX = 64;

  private Echo() {}

  public static String cap(Object value) {
    if (value == null) {
      return "null";
    }
    String s = String.valueOf(value);
    StringBuilder out = new StringBuilder(Math.min(s.length(), MAX) + 32);
    int shown = 0;
    for (int i = 0; i < s.length() && shown < MAX; i++, shown++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    if (s.length() > MAX) {
      out.append("… (").append(s.length()).append(" characters)");
    }
    return out.toString();
  }
}
