package dev.patchops.ticket.process;

/** Something the request names does not exist, e.g. "ticket TCK-9". */
public class NotFound extends RuntimeException {
  private final String what;

  public NotFound(String what) {
    super(what + " does not exist");
    this.what = what;
  }

  public String what() {
    return what;
  }
}
