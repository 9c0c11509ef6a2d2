package dev.patchops.kubectl;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** kubectl-like tables: columns as wide as their widest cell, three spaces apart. */
final class Tables {
  private Tables() {}

  static String rollouts(
      List<GenericKubernetesResource> items, boolean withNamespace, Instant now) {
    List<String> header =
        new ArrayList<>(
            List.of(
                "NAME",
                "TICKET",
                "TARGET",
                "IMAGE",
                "PHASE",
                "STEP",
                "WEIGHT",
                "CHECKPOINT",
                "AGE"));
    if (withNamespace) {
      header.add(0, "NAMESPACE");
    }
    List<List<String>> rows = new ArrayList<>();
    for (GenericKubernetesResource r : items) {
      List<String> row = new ArrayList<>();
      if (withNamespace) {
        row.add(r.getMetadata().getNamespace());
      }
      row.add(r.getMetadata().getName());
      row.add(Node.orDash(Node.text(r, "spec", "ticketId")));
      row.add(Node.orDash(Node.text(r, "status", "target")));
      row.add(shortImage(Node.text(r, "spec", "image")));
      row.add(Node.orDash(RolloutView.phase(r)));
      row.add(Node.orDash(Node.text(r, "status", "step")));
      Integer w = Node.integer(r, "status", "weight");
      row.add(w == null ? "-" : w + "%");
      row.add(Node.orDash(Node.text(r, "status", "checkpoint")));
      row.add(age(r.getMetadata().getCreationTimestamp(), now));
      rows.add(row);
    }
    return table(header, rows);
  }

  static String tests(List<GenericKubernetesResource> items, boolean withNamespace, Instant now) {
    List<String> header =
        new ArrayList<>(
            List.of("NAME", "TICKET", "REVISION", "MIRROR", "PHASE", "PASSED/FAILED", "AGE"));
    if (withNamespace) {
      header.add(0, "NAMESPACE");
    }
    List<List<String>> rows = new ArrayList<>();
    for (GenericKubernetesResource t : items) {
      List<String> row = new ArrayList<>();
      if (withNamespace) {
        row.add(t.getMetadata().getNamespace());
      }
      row.add(t.getMetadata().getName());
      row.add(Node.orDash(Node.text(t, "spec", "ticketId")));
      row.add(Node.orDash(Node.text(t, "spec", "revision")));
      row.add(Node.orDash(Node.text(t, "spec", "environmentNamespace")));
      row.add(Node.orDash(Node.text(t, "status", "phase")));
      row.add(Node.orDash(Node.text(t, "status", "results")));
      row.add(age(t.getMetadata().getCreationTimestamp(), now));
      rows.add(row);
    }
    return table(header, rows);
  }

  /**
   * The rollouts of one workload, oldest first: what each shipped, how it ended, its checkpoint.
   */
  static String history(List<GenericKubernetesResource> items, boolean withNamespace) {
    List<String> header =
        new ArrayList<>(
            List.of("STARTED", "NAME", "TICKET", "REV", "IMAGE", "PHASE", "CHECKPOINT", "OUTCOME"));
    if (withNamespace) {
      header.add(0, "NAMESPACE");
    }
    List<List<String>> rows = new ArrayList<>();
    for (GenericKubernetesResource r : items) {
      List<String> row = new ArrayList<>();
      if (withNamespace) {
        row.add(r.getMetadata().getNamespace());
      }
      row.add(Node.orDash(r.getMetadata().getCreationTimestamp()));
      row.add(r.getMetadata().getName());
      row.add(Node.orDash(Node.text(r, "spec", "ticketId")));
      row.add(Node.orDash(Node.text(r, "spec", "revision")));
      row.add(shortImage(Node.text(r, "spec", "image")));
      row.add(Node.orDash(RolloutView.phase(r)));
      row.add(Node.orDash(Node.text(r, "status", "checkpoint")));
      row.add(outcome(r));
      rows.add(row);
    }
    return table(header, rows);
  }

  /** How a rollout ended, in one cell: a revert names its trigger and the checkpoint restored. */
  static String outcome(GenericKubernetesResource r) {
    String phase = Node.orDash(Node.text(r, "status", "phase"));
    Map<?, ?> reverted = Node.condition(r, "Reverted");
    String checkpoint = Node.text(r, "status", "checkpoint");
    return switch (phase) {
      case "REVERTED", "REVERTING" ->
          (phase.equals("REVERTED") ? "reverted to " : "reverting to ")
              + Node.orDash(checkpoint)
              + (reverted == null
                  ? ""
                  : " ("
                      + Node.orDash(Node.text(reverted, "reason"))
                      + ": "
                      + Node.orDash(Node.text(reverted, "message"))
                      + ")");
      case "SUCCEEDED" -> "promoted, watch window passed";
      case "WATCHING" -> "promoted, watching";
      case "REFUSED", "FAILED" -> "not started: " + Node.orDash(Node.text(r, "status", "message"));
      case "-" -> "not taken up yet";
      default -> "in progress";
    };
  }

  static String shortImage(String image) {
    if (image == null) {
      return "-";
    }
    int at = image.indexOf("@sha256:");
    if (at < 0) {
      return image;
    }
    String repo = image.substring(0, at);
    String digest = image.substring(at + 8);
    return repo.substring(repo.lastIndexOf('/') + 1)
        + "@"
        + digest.substring(0, Math.min(12, digest.length()));
  }

  static String age(String timestamp, Instant now) {
    if (timestamp == null) {
      return "-";
    }
    long s = Math.max(0, Duration.between(Instant.parse(timestamp), now).getSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 120 * 60) {
      return s / 60 + "m";
    }
    if (s < 48 * 3600) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }

  static String table(List<String> header, List<List<String>> rows) {
    int[] width = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      width[i] = header.get(i).length();
      for (List<String> row : rows) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder out = new StringBuilder();
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(width[i] - row.get(i).length() + 3));
        }
      }
      out.append(line.toString().stripTrailing()).append('\n');
    }
    return out.toString();
  }
}
