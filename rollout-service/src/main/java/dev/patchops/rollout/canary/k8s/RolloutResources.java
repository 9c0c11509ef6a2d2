package dev.patchops.rollout.canary.k8s;

import dev.patchops.platform.k8s.Conditions;
import dev.patchops.rollout.canary.Rollout;
import dev.patchops.rollout.canary.RolloutPhase;
import dev.patchops.rollout.scaling.CanaryScale;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.utils.Serialization;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jboss.logging.Logger;

/**
 * The PatchRollout custom resources: one per rollout, whatever started it. Changes to them are
 * queued for the engine, which alone acts, so kubectl and REST commands never race each other.
 */
@ApplicationScoped
public class RolloutResources {
  private static final Logger LOG = Logger.getLogger(RolloutResources.class);

  /**
   * The user who created or last changed a PatchRollout. Admission (the ValidatingAdmissionPolicy
   * patchops-patchrollout-requested-by in deploy/) lets a create or update through only when it
   * equals the requesting user's name, so it is the API server's word, not the client's.
   */
  public static final String REQUESTED_BY = "patchops.dev/requested-by";

  /**
   * A PatchRollout that takes the emergency path names its reason here. Admission (the same policy)
   * lets only a user allowed the verb {@code emergency} on patchrollouts set it, so its presence is
   * the API server's word that the person holds the emergency role.
   */
  public static final String EMERGENCY_REASON = "patchops.dev/emergency-reason";

  /** What a resource without the annotation (a cluster without the policy) is attributed to. */
  public static final String UNATTRIBUTED = "unattributed";

  /** A PatchRollout seen by the informer; {@code deleted} when kubectl removed it. */
  public record Seen(PatchRollout resource, boolean deleted) {}

  private final KubernetesClient client;
  private final ConcurrentLinkedQueue<Seen> queue = new ConcurrentLinkedQueue<>();

  /** The status last written per rollout id, so an unchanged status costs no API call. */
  private final Map<String, PatchRolloutStatus> written = new ConcurrentHashMap<>();

  private SharedIndexInformer<PatchRollout> informer;
  private volatile String serviceUser;
  private Runnable onChange = () -> {};

  @Inject
  public RolloutResources(KubernetesClient client) {
    this.client = client;
  }

  /**
   * Starts the informer without waiting for it: {@code inform()} waits without limit for the first
   * list and watch, and the engine thread that calls this must go on reverting while the API server
   * is slow or refuses the list (a CRD whose storage is still initializing does). A start that
   * fails, or an informer that stopped, is replaced on a later pass; {@link #resync} covers what it
   * missed meanwhile.
   */
  public synchronized void watch(Runnable wake) {
    if (informer != null && !informer.stopped().toCompletableFuture().isDone()) {
      return;
    }
    this.onChange = wake;
    SharedIndexInformer<PatchRollout> starting =
        client.resources(PatchRollout.class).inAnyNamespace().runnableInformer(60_000);
    starting.addEventHandler(queueing());
    informer = starting;
    starting
        .start()
        .whenComplete(
            (ignored, error) -> {
              if (error != null) {
                LOG.warnf(
                    "PatchRollout informer did not start (%s); a later pass starts another", error);
                starting.close();
              }
            });
  }

  /** Each added, deleted or spec-changed resource is queued for the engine, which is woken. */
  private ResourceEventHandler<PatchRollout> queueing() {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(PatchRollout obj) {
        queue.add(new Seen(obj, false));
        onChange.run();
      }

      @Override
      public void onUpdate(PatchRollout oldObj, PatchRollout newObj) {
        if (!Objects.equals(
            oldObj.getMetadata().getGeneration(), newObj.getMetadata().getGeneration())) {
          queue.add(new Seen(newObj, false));
          onChange.run();
        }
      }

      @Override
      public void onDelete(PatchRollout obj, boolean deletedFinalStateUnknown) {
        queue.add(new Seen(obj, true));
        onChange.run();
      }
    };
  }

  public synchronized void stop() {
    if (informer != null) {
      informer.close();
      informer = null;
    }
  }

  /**
   * Level-triggered safety net for missed watch events: every resource whose spec the status has
   * not caught up with yet, or that no rollout has taken up.
   */
  public void resync() {
    for (PatchRollout cr :
        client.resources(PatchRollout.class).inAnyNamespace().list().getItems()) {
      PatchRolloutStatus s = cr.getStatus();
      if (s != null && s.rolloutId != null && !s.equals(written.get(s.rolloutId))) {
        // Someone else wrote the status: the next write compares with the live one again.
        written.remove(s.rolloutId);
      }
      Long generation = cr.getMetadata().getGeneration();
      boolean untaken = s == null || (s.rolloutId == null && !"REFUSED".equals(s.phase));
      boolean behind =
          generation != null
              && (s == null || s.observedGeneration == null || s.observedGeneration < generation);
      if (untaken || behind) {
        queue.add(new Seen(cr, false));
      }
    }
  }

  public Seen poll() {
    return queue.poll();
  }

  /** The name a rollout's resource gets: readable, unique per rollout, DNS-1123. */
  public static String nameFor(Rollout r) {
    String hash = shortHash(r.id);
    String base = (r.deployment + "-r" + r.revision).toLowerCase().replaceAll("[^a-z0-9-]", "-");
    int room = 63 - hash.length() - 1;
    base = base.length() > room ? base.substring(0, room) : base;
    return base.replaceAll("-+$", "") + "-" + hash;
  }

  /**
   * The resource made for a rollout: its name, and the generation of the spec written, which the
   * status then reports as observed; 0 when one already existed, whose spec is still to be read.
   */
  public record Created(String name, long generation) {}

  /** The person named by admission as the last to create or change the resource. */
  public static String requestedBy(PatchRollout cr) {
    Map<String, String> annotations = cr.getMetadata().getAnnotations();
    String user = annotations == null ? null : annotations.get(REQUESTED_BY);
    return user == null || user.isBlank() ? UNATTRIBUTED : user;
  }

  /** The emergency reason the resource gives, blank when given empty; null: no emergency. */
  public static String emergencyReason(PatchRollout cr) {
    Map<String, String> annotations = cr.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(EMERGENCY_REASON);
  }

  /** The service's own user name, as the API server knows it: what its resources must carry. */
  public String serviceUser() {
    String user = serviceUser;
    if (user == null) {
      user =
          client
              .authentication()
              .v1()
              .selfSubjectReviews()
              .create(new SelfSubjectReview())
              .getStatus()
              .getUserInfo()
              .getUsername();
      serviceUser = user;
    }
    return user;
  }

  /** Creates the resource of a rollout started by an event or REST; an existing one is kept. */
  public Created create(Rollout r) {
    PatchRollout cr = new PatchRollout();
    cr.getMetadata().setName(nameFor(r));
    cr.getMetadata().setAnnotations(Map.of(REQUESTED_BY, serviceUser()));
    cr.getMetadata().setNamespace(r.namespace);
    cr.getMetadata()
        .setLabels(
            Map.of(
                Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE,
                Labels.ROLLOUT, r.id,
                Labels.TICKET, WorkloadOps.sanitize(r.ticketId)));
    PatchRolloutSpec spec = cr.getSpec();
    spec.ticketId = r.ticketId;
    spec.revision = r.revision;
    spec.deployment = r.deployment;
    spec.containers = new ArrayList<>(r.containers);
    spec.image = r.image;
    spec.httpRoute = r.httpRoute;
    spec.steps =
        r.steps.stream()
            .map(
                s -> {
                  var step = new PatchRolloutSpec.Step();
                  step.weight = s.weight();
                  step.pauseSeconds = s.pauseSeconds();
                  return step;
                })
            .toList();
    spec.paused = false;
    spec.abort = false;
    try {
      PatchRollout created =
          client.resources(PatchRollout.class).inNamespace(r.namespace).resource(cr).create();
      return new Created(
          created.getMetadata().getName(),
          Objects.requireNonNullElse(created.getMetadata().getGeneration(), 0L));
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      return new Created(cr.getMetadata().getName(), 0);
    }
  }

  /**
   * Writes the status only when it changed, as a patch of the differences.
   *
   * @param step the sizes of the current step (its actual canary share), null if not known
   */
  public void writeStatus(
      Rollout r, String checkpointHash, long observedGeneration, CanaryScale.Plan step) {
    PatchRolloutStatus known = written.get(r.id);
    if (known != null
        && statusOf(r, checkpointHash, observedGeneration, known, step).equals(known)) {
      // The engine passes every few milliseconds while reverting: no change, no API call.
      return;
    }
    var resource = client.resources(PatchRollout.class).inNamespace(r.namespace).withName(r.crName);
    PatchRollout live = resource.get();
    if (live == null) {
      written.remove(r.id);
      return;
    }
    PatchRolloutStatus desired =
        statusOf(r, checkpointHash, observedGeneration, live.getStatus(), step);
    if (!desired.equals(live.getStatus())) {
      putStatus(r.namespace, r.crName, desired);
    }
    written.put(r.id, desired);
  }

  /** The rollout ended: its last status is written and need not be remembered. */
  public void forget(String rolloutId) {
    written.remove(rolloutId);
  }

  /**
   * The status of a refused or otherwise unmatched resource: why, and by which gate ({@code
   * reason}, e.g. {@code ChangeFreeze}; {@code Invalid} for a malformed spec, {@code
   * WorkloadBusy}).
   */
  public void writeRefusal(PatchRollout cr, String gate, String reason) {
    PatchRolloutStatus status = new PatchRolloutStatus();
    status.phase = RolloutPhase.REFUSED.name();
    status.message = reason;
    status.target = cr.getMetadata().getNamespace() + "/" + cr.getSpec().deployment;
    status.observedGeneration = cr.getMetadata().getGeneration();
    String because = camel(gate.toUpperCase().replace('-', '_'));
    status.conditions =
        List.of(
            Conditions.of(
                "Admitted", false, because, reason, null, cr.getMetadata().getGeneration()),
            Conditions.of(
                "Progressing", false, "Refused", reason, null, cr.getMetadata().getGeneration()));
    putStatus(cr.getMetadata().getNamespace(), cr.getMetadata().getName(), status);
  }

  /**
   * The whole status as one JSON patch {@code add} of {@code /status}, which sets it whether the
   * resource has a status yet or not. A diff against the status read (what {@code editStatus}
   * sends) names paths inside a status the API server does not have yet, and it refuses those.
   */
  private void putStatus(String namespace, String name, PatchRolloutStatus status) {
    client
        .resources(PatchRollout.class)
        .inNamespace(namespace)
        .withName(name)
        .subresource("status")
        .patch(
            PatchContext.of(PatchType.JSON),
            Serialization.asJson(List.of(Map.of("op", "add", "path", "/status", "value", status))));
  }

  static PatchRolloutStatus statusOf(
      Rollout r,
      String checkpointHash,
      long generation,
      PatchRolloutStatus previous,
      CanaryScale.Plan step) {
    PatchRolloutStatus s = new PatchRolloutStatus();
    s.rolloutId = r.id;
    s.target = r.namespace + "/" + r.deployment;
    // One spelling: the phase as the REST API and the events name it; a pause is the Paused
    // condition, which the kubectl plugin shows as Argo shows a paused rollout.
    s.phase = r.phase.name();
    s.step = Math.min(r.stepIndex + 1, r.steps.size()) + "/" + r.steps.size();
    s.weight =
        switch (r.phase) {
          case PROGRESSING -> r.currentStep().weight();
          case PROMOTING, WATCHING, SUCCEEDED -> 100;
          default -> 0;
        };
    // The share the canary really has beside the weight asked for: they differ in replica mode.
    if (r.phase == RolloutPhase.PROGRESSING) {
      if (step != null) {
        s.actualWeight = step.actualRounded();
        s.canaryReplicas = step.canaryReplicas();
        s.stableReplicas = step.stableReplicas();
      }
    } else {
      s.actualWeight = s.weight.doubleValue();
    }
    s.checkpoint = checkpointHash == null ? null : checkpointHash.substring(0, 12);
    s.message = r.message;
    s.policy = r.policyName == null ? "none" : r.policyName + "@" + r.policyGeneration;
    s.observedGeneration = generation;
    List<Condition> old = previous == null ? List.of() : previous.conditions;
    s.conditions =
        List.of(
            Conditions.of(
                "CheckpointRecorded",
                checkpointHash != null,
                checkpointHash != null ? "Recorded" : "Pending",
                checkpointHash == null
                    ? "no checkpoint yet"
                    : "spec " + checkpointHash.substring(0, 12),
                old,
                generation),
            Conditions.of(
                "Progressing",
                r.phase.active() && !r.paused,
                r.phase.name(),
                r.message,
                old,
                generation),
            Conditions.of(
                "Paused",
                r.paused && r.phase.active(),
                r.paused ? "Paused" : "Running",
                r.paused ? "paused" : "running",
                old,
                generation),
            Conditions.of(
                "Promoted",
                r.phase == RolloutPhase.WATCHING || r.phase == RolloutPhase.SUCCEEDED,
                r.phase == RolloutPhase.SUCCEEDED
                    ? "WatchWindowPassed"
                    : r.phase == RolloutPhase.WATCHING ? "Watching" : "NotPromoted",
                r.message,
                old,
                generation),
            Conditions.of(
                "Reverted",
                r.phase == RolloutPhase.REVERTING || r.phase == RolloutPhase.REVERTED,
                r.revertTrigger == null ? "NotReverted" : camel(r.revertTrigger.name()),
                r.revertReason == null ? "not reverted" : r.revertReason,
                old,
                generation));
    return s;
  }

  private static String camel(String upper) {
    StringBuilder b = new StringBuilder();
    for (String part : upper.toLowerCase().split("_")) {
      b.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
    }
    return b.toString();
  }

  private static String shortHash(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 8);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
