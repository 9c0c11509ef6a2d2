package dev.patchops.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The tree of one PatchRollout: what it ships where, each step with its requested and actual
 * weight, state and analysis verdict, the checkpoint and the conditions. A pure function of the
 * resource and the live traffic split, so it is tested without a cluster.
 */
final class RolloutView {
  private RolloutView() {}

  /** The share of traffic the canary really gets now, in percent, or null when unknown. */
  static Integer actualWeight(
      GenericKubernetesResource rollout,
      GenericKubernetesResource stable,
      GenericKubernetesResource canary,
      GenericKubernetesResource route) {
    if (Node.text(rollout, "spec", "httpRoute") != null) {
      return route == null ? null : routeWeight(route);
    }
    int stableReady = ready(stable);
    int canaryReady = ready(canary);
    if (stableReady + canaryReady == 0) {
      return null;
    }
    return (int) Math.round(100.0 * canaryReady / (stableReady + canaryReady));
  }

  /** Gateway mode: the canary backends' weights over all weights of the route's rules. */
  static Integer routeWeight(GenericKubernetesResource route) {
    long canary = 0;
    long all = 0;
    for (Object rule : Node.list(route, "spec", "rules")) {
      for (Object ref : Node.list(rule, "backendRefs")) {
        Integer w = Node.integer(ref, "weight");
        int weight = w == null ? 1 : w;
        all += weight;
        String name = Node.text(ref, "name");
        if (name != null && name.endsWith("-canary")) {
          canary += weight;
        }
      }
    }
    return all == 0 ? null : (int) Math.round(100.0 * canary / all);
  }

  private static int ready(GenericKubernetesResource d) {
    Integer ready = d == null ? null : Node.integer(d, "status", "readyReplicas");
    return ready == null ? 0 : ready;
  }

  /** A step as the view shows it. */
  record StepLine(
      int number, int weight, Integer actual, int pauseSeconds, String state, String analysis) {}

  /**
   * The phase to show: the resource's own (the rollout-service's phase names), or {@code Paused}
   * for a canary step held by its {@code Paused} condition, as Argo Rollouts shows a paused
   * rollout.
   */
  static String phase(GenericKubernetesResource r) {
    String phase = Node.text(r, "status", "phase");
    Map<?, ?> paused = Node.condition(r, "Paused");
    if ("PROGRESSING".equals(phase) && paused != null && "True".equals(paused.get("status"))) {
      return "Paused";
    }
    return phase;
  }

  static List<StepLine> steps(GenericKubernetesResource r, Integer actual) {
    List<Object> steps = Node.list(r, "spec", "steps");
    String phase = Objects.requireNonNullElse(phase(r), "");
    int current = currentIndex(Node.text(r, "status", "step"));
    Map<?, ?> reverted = Node.condition(r, "Reverted");
    String revertVerdict =
        reverted == null
            ? "reverted"
            : "failed: "
                + Node.orDash(Node.text(reverted, "reason"))
                + " ("
                + Node.orDash(Node.text(reverted, "message"))
                + ")";
    List<StepLine> lines = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      Object s = steps.get(i);
      int weight = Objects.requireNonNullElse(Node.integer(s, "weight"), 0);
      int pause = Objects.requireNonNullElse(Node.integer(s, "pauseSeconds"), 0);
      String state;
      String analysis;
      Integer actualHere = null;
      switch (phase) {
        case "PROGRESSING", "Paused" -> {
          if (i < current) {
            state = "Passed";
            analysis = "passed";
          } else if (i == current) {
            state = phase.equals("Paused") ? "Paused" : "Progressing";
            analysis = phase.equals("Paused") ? "held" : "running";
            actualHere = actual;
          } else {
            state = "Pending";
            analysis = "-";
          }
        }
        case "PROMOTING", "WATCHING", "SUCCEEDED" -> {
          state = i <= current ? "Passed" : "Skipped";
          analysis = i <= current ? "passed" : "skipped (promoted)";
        }
        case "REVERTING", "REVERTED" -> {
          if (i < current) {
            state = "Passed";
            analysis = "passed";
          } else if (i == current) {
            state = phase.equals("REVERTING") ? "Reverting" : "Reverted";
            analysis = revertVerdict;
            actualHere = actual;
          } else {
            state = "Cancelled";
            analysis = "-";
          }
        }
        default -> {
          state = "Pending";
          analysis = "-";
        }
      }
      lines.add(new StepLine(i + 1, weight, actualHere, pause, state, analysis));
    }
    return lines;
  }

  /** {@code status.step} is "current/total", counted from 1. */
  static int currentIndex(String step) {
    if (step == null || !step.contains("/")) {
      return -1;
    }
    try {
      return Integer.parseInt(step.substring(0, step.indexOf('/')).strip()) - 1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  static String icon(String state) {
    return switch (state) {
      case "Passed" -> "✔";
      case "Progressing", "Reverting" -> "◌";
      case "Paused" -> "॥";
      case "Reverted" -> "✖";
      case "Skipped", "Cancelled" -> "»";
      default -> " ";
    };
  }

  static String phaseIcon(String phase) {
    return switch (phase == null ? "" : phase) {
      case "SUCCEEDED" -> "✔ ";
      case "REVERTED", "FAILED", "REFUSED" -> "✖ ";
      case "Paused" -> "॥ ";
      case "" -> "";
      default -> "◌ ";
    };
  }

  static String render(GenericKubernetesResource r, Integer actual) {
    StringBuilder out = new StringBuilder();
    String phase = phase(r);
    field(out, "Name", r.getMetadata().getName());
    field(out, "Namespace", r.getMetadata().getNamespace());
    Integer revision = Node.integer(r, "spec", "revision");
    field(
        out,
        "Ticket",
        Node.orDash(Node.text(r, "spec", "ticketId"))
            + (revision == null ? "" : " (revision " + revision + ")"));
    String target = Node.text(r, "status", "target");
    if (target == null) {
      target = r.getMetadata().getNamespace() + "/" + Node.text(r, "spec", "deployment");
    }
    String containers =
        String.join(",", Node.list(r, "spec", "containers").stream().map(String::valueOf).toList());
    String route = Node.text(r, "spec", "httpRoute");
    field(
        out,
        "Target",
        target
            + (containers.isEmpty() ? "" : " [" + containers + "]")
            + (route == null ? "" : " via HTTPRoute " + route));
    field(out, "Image", Node.orDash(Node.text(r, "spec", "image")));
    String step = Node.text(r, "status", "step");
    Integer weight = Node.integer(r, "status", "weight");
    field(
        out,
        "Phase",
        phase == null
            ? "(not taken up yet)"
            : phaseIcon(phase)
                + phase
                + (step == null ? "" : "  step " + step)
                + (weight == null ? "" : "  weight " + weight + "%")
                + (actual == null || !active(phase) ? "" : "  actual " + actual + "%"));
    if (Node.text(r, "status", "message") != null) {
      field(out, "Message", Node.text(r, "status", "message"));
    }
    field(out, "Checkpoint", Node.orDash(Node.text(r, "status", "checkpoint")));
    List<String> controls = new ArrayList<>();
    if (Node.flag(r, "spec", "paused")) {
      controls.add("paused");
    }
    if (Node.flag(r, "spec", "abort")) {
      controls.add("abort");
    }
    if (Node.text(r, "spec", "promote") != null) {
      controls.add("promote=" + Node.text(r, "spec", "promote"));
    }
    if (!controls.isEmpty()) {
      field(out, "Controls", String.join(" ", controls));
    }
    out.append("Steps\n");
    List<StepLine> steps = steps(r, actual);
    if (steps.isEmpty()) {
      out.append("└── (none: one step at 100%)\n");
    }
    for (int i = 0; i < steps.size(); i++) {
      StepLine s = steps.get(i);
      out.append(i == steps.size() - 1 ? "└── " : "├── ")
          .append(icon(s.state()))
          .append(' ')
          .append(pad("step " + s.number(), 8))
          .append(pad("weight " + s.weight() + "%", 12))
          .append(pad("actual " + (s.actual() == null ? "-" : s.actual() + "%"), 12))
          .append(pad("pause " + s.pauseSeconds() + "s", 12))
          .append(pad(s.state(), 12))
          .append("analysis: ")
          .append(s.analysis())
          .append('\n');
    }
    out.append("Conditions\n");
    List<Object> conditions = Node.list(r, "status", "conditions");
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

  static boolean active(String phase) {
    return phase != null && !List.of("SUCCEEDED", "REVERTED", "FAILED", "REFUSED").contains(phase);
  }

  static void field(StringBuilder out, String name, String value) {
    out.append(pad(name + ":", 13)).append(value).append('\n');
  }

  static String pad(String s, int width) {
    StringBuilder b = new StringBuilder(s);
    while (b.length() < width) {
      b.append(' ');
    }
    if (b.length() == s.length()) {
      b.append(' ');
    }
    return b.toString();
  }
}
