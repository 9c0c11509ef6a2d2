package dev.patchops.kubectl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The manual controls, each a merge patch of one field of the PatchRollout's spec ({@code paused},
 * {@code abort}, {@code promote}), which the rollout-service reads as a command. Going through the
 * spec means the API server's RBAC and admission decide, and the audit trail names the real user.
 */
final class Controls {
  static final String RETRY_OF = "patchops.dev/retry-of";

  /**
   * Who asks: the admission policy of {@code deploy/} refuses a create or update of a PatchRollout
   * whose annotation does not name the user making the request, and the trail takes the person from
   * it.
   */
  static final String REQUESTED_BY = "patchops.dev/requested-by";

  private Controls() {}

  enum Verb {
    PROMOTE("promoted"),
    PROMOTE_FULL("fully promoted"),
    PAUSE("paused"),
    RESUME("resumed"),
    ABORT("aborted");

    final String done;

    Verb(String done) {
      this.done = done;
    }
  }

  /** The merge patch for {@code verb} on {@code rollout}, or a one-line refusal. */
  static String patch(Verb verb, GenericKubernetesResource rollout, String user) {
    String phase = RolloutView.phase(rollout);
    String ref = Cluster.Kind.ROLLOUT.ref(rollout.getMetadata().getName());
    String word = verb.name().toLowerCase().replace("_full", "");
    if (phase == null) {
      throw new PluginException(
          "error: "
              + ref
              + " has no status yet: the rollout-service has not taken it up, nothing to "
              + word);
    }
    if (!RolloutView.active(phase)) {
      throw new PluginException("error: " + ref + " is " + phase + ": nothing to " + word);
    }
    boolean progressing = phase.equals("PROGRESSING") || phase.equals("Paused");
    return switch (verb) {
      case PROMOTE -> {
        if (!progressing) {
          throw new PluginException(
              "error: " + ref + " is " + phase + ": only a canary step can be promoted");
        }
        yield json(
            user,
            Map.of(
                "promote",
                "step-" + (RolloutView.currentIndex(Node.text(rollout, "status", "step")) + 1)));
      }
      case PROMOTE_FULL -> {
        if (!progressing) {
          throw new PluginException(
              "error: " + ref + " is " + phase + ": only a canary step can be promoted");
        }
        yield json(user, Map.of("promote", "full"));
      }
      case PAUSE -> json(user, Map.of("paused", true));
      case RESUME -> json(user, Map.of("paused", false));
      case ABORT -> {
        if (phase.equals("REVERTING")) {
          throw new PluginException("error: " + ref + " is already REVERTING");
        }
        yield json(user, Map.of("abort", true));
      }
    };
  }

  private static String json(String user, Map<String, Object> spec) {
    try {
      Map<String, Object> patch = new LinkedHashMap<>();
      patch.put("metadata", Map.of("annotations", Map.of(REQUESTED_BY, user)));
      patch.put("spec", spec);
      return new ObjectMapper().writeValueAsString(patch);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * A new PatchRollout with the spec of an ended one, its controls cleared: the rollout-service
   * starts a fresh rollout (with a fresh checkpoint) from it, through every gate a new one passes.
   */
  static GenericKubernetesResource retryOf(GenericKubernetesResource ended, String user) {
    String phase = Node.text(ended, "status", "phase");
    String ref = Cluster.Kind.ROLLOUT.ref(ended.getMetadata().getName());
    if (phase == null || RolloutView.active(phase)) {
      throw new PluginException(
          "error: "
              + ref
              + " is "
              + (phase == null ? "not taken up yet" : phase)
              + ": only an ended rollout (REVERTED, FAILED, REFUSED) can be retried");
    }
    if (phase.equals("SUCCEEDED")) {
      throw new PluginException("error: " + ref + " SUCCEEDED: nothing to retry");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = new LinkedHashMap<>((Map<String, Object>) Node.at(ended, "spec"));
    spec.remove("paused");
    spec.remove("abort");
    spec.remove("promote");
    String base = ended.getMetadata().getName().replaceAll("-retry-[a-z0-9]*$", "");
    String prefix =
        (base.length() > 45 ? base.substring(0, 45) : base).replaceAll("-+$", "") + "-retry-";
    GenericKubernetesResource retry = new GenericKubernetesResource();
    retry.setApiVersion(Cluster.GROUP + "/" + Cluster.VERSION);
    retry.setKind(Cluster.Kind.ROLLOUT.kind);
    Map<String, String> labels = new LinkedHashMap<>();
    if (ended.getMetadata().getLabels() != null) {
      String ticket = ended.getMetadata().getLabels().get("patchops.dev/ticket");
      if (ticket != null) {
        labels.put("patchops.dev/ticket", ticket);
      }
    }
    retry.setMetadata(
        new ObjectMetaBuilder()
            .withGenerateName(prefix)
            .withNamespace(ended.getMetadata().getNamespace())
            .withLabels(labels)
            .withAnnotations(Map.of(RETRY_OF, ended.getMetadata().getName(), REQUESTED_BY, user))
            .build());
    retry.setAdditionalProperty("spec", spec);
    return retry;
  }

  /**
   * The workload's name from {@code checkout}, {@code deploy/checkout} or {@code
   * deployment/checkout}.
   */
  static String workload(String arg) {
    int slash = arg.indexOf('/');
    if (slash < 0) {
      return arg;
    }
    String kind = arg.substring(0, slash).toLowerCase();
    if (!List.of("deploy", "deployment", "deployments", "deployment.apps", "deployments.apps")
        .contains(kind)) {
      throw new PluginException(
          "error: PatchOps rolls out Deployments only, not " + arg.substring(0, slash));
    }
    return arg.substring(slash + 1);
  }
}
