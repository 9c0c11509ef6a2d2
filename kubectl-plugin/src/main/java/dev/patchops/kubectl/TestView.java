package dev.patchops.kubectl;

import static dev.patchops.kubectl.RolloutView.field;
import static dev.patchops.kubectl.RolloutView.pad;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;

/** The tree of one PatchTest: the mirror it runs in, its suites, and its failures with messages. */
final class TestView {
  private TestView() {}

  static String render(GenericKubernetesResource t) {
    StringBuilder out = new StringBuilder();
    field(out, "Name", t.getMetadata().getName());
    field(out, "Namespace", t.getMetadata().getNamespace());
    Integer revision = Node.integer(t, "spec", "revision");
    Integer attempt = Node.integer(t, "spec", "attempt");
    field(
        out,
        "Ticket",
        Node.orDash(Node.text(t, "spec", "ticketId"))
            + (revision == null ? "" : " (revision " + revision)
            + (attempt == null ? "" : ", attempt " + attempt)
            + (revision == null ? "" : ")"));
    field(out, "Image", Node.orDash(Node.text(t, "spec", "image")));
    String source = Node.text(t, "spec", "sourceNamespace");
    field(
        out,
        "Mirror",
        Node.orDash(Node.text(t, "spec", "environmentNamespace"))
            + (source == null ? "" : " (mirror of " + source + ")"));
    if (Node.text(t, "spec", "burnInNode") != null) {
      field(out, "Node", Node.text(t, "spec", "burnInNode"));
    }
    String phase = Node.text(t, "status", "phase");
    Integer passed = Node.integer(t, "status", "passed");
    Integer failed = Node.integer(t, "status", "failed");
    field(
        out,
        "Phase",
        (phase == null ? "(not started)" : phase)
            + (passed == null && failed == null
                ? ""
                : "  passed "
                    + Node.orDash(passed == null ? null : "" + passed)
                    + ", failed "
                    + Node.orDash(failed == null ? null : "" + failed)));
    out.append("Suites\n");
    List<Object> suites = Node.list(t, "spec", "suites");
    if (suites.isEmpty()) {
      out.append("└── (the default suites)\n");
    }
    for (int i = 0; i < suites.size(); i++) {
      out.append(i == suites.size() - 1 ? "└── " : "├── ").append(suites.get(i)).append('\n');
    }
    List<String> failures = failures(t);
    out.append("Failures\n");
    if (failures.isEmpty()) {
      out.append("└── (none)\n");
    }
    for (int i = 0; i < failures.size(); i++) {
      out.append(i == failures.size() - 1 ? "└── ✖ " : "├── ✖ ")
          .append(failures.get(i))
          .append('\n');
    }
    out.append("Conditions\n");
    List<Object> conditions = Node.list(t, "status", "conditions");
    if (conditions.isEmpty()) {
      out.append("└── (none yet)\n");
    }
    for (int i = 0; i < conditions.size(); i++) {
      Object c = conditions.get(i);
      out.append(i == conditions.size() - 1 ? "└── " : "├── ")
          .append(pad(Node.orDash(Node.text(c, "type")), 20))
          .append(pad(Node.orDash(Node.text(c, "status")), 7))
          .append(pad(Node.orDash(Node.text(c, "reason")), 20))
          .append(Node.orDash(Node.text(c, "message")))
          .append('\n');
    }
    return out.toString();
  }

  /**
   * What went wrong, as the orchestrator reports it: the run's message when it did not pass, and
   * every condition that names a failure.
   */
  static List<String> failures(GenericKubernetesResource t) {
    List<String> failures = new ArrayList<>();
    String phase = Node.text(t, "status", "phase");
    Integer failed = Node.integer(t, "status", "failed");
    boolean failing =
        "Failed".equals(phase) || "Error".equals(phase) || (failed != null && failed > 0);
    String message = Node.text(t, "status", "message");
    if (failing && message != null && !message.isBlank()) {
      failures.add(message);
    }
    for (Object c : Node.list(t, "status", "conditions")) {
      String reason = Node.text(c, "reason");
      String text = Node.text(c, "message");
      boolean failure =
          reason != null
              && (reason.contains("Fail") || reason.contains("Error"))
              && text != null
              && !text.isBlank();
      if (failure && !failures.contains(text)) {
        failures.add(Node.text(c, "type") + ": " + text);
      }
    }
    return failures;
  }
}
