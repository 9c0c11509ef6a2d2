package dev.patchops.kubectl;

import dev.patchops.kubectl.Cluster.Kind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code kubectl patchops}: the PatchRollouts and PatchTests of the cluster of the user's
 * kubeconfig, as trees and tables, and the manual controls of a rollout through its spec.
 */
public final class Main {
  static final String VERSION = "kubectl-patchops 0.1.0";

  static final String HELP =
      """
      kubectl patchops: PatchOps rollouts and tests, for platform engineers.

      Usage:
        kubectl patchops get rollout|test NAME [-w|--watch] [-o json|yaml]
        kubectl patchops list [rollouts|tests] [-A] [-o json|yaml]
        kubectl patchops promote ROLLOUT [--full]
        kubectl patchops pause|resume|abort ROLLOUT
        kubectl patchops retry ROLLOUT
        kubectl patchops history WORKLOAD [-A] [-o json|yaml]
        kubectl patchops completion bash|zsh

      Commands:
        get         A rollout or a test as a tree; --watch redraws on every change and
                    ends when the rollout (or test) ends.
        list        Rollouts and tests as tables (-A: in every namespace).
        promote     Pass the current canary step (--full: skip every remaining step).
        pause       Hold the rollout at its current step.
        resume      Let a paused rollout go on.
        abort       Revert to the checkpoint at once.
        retry       Start an ended (reverted, failed, refused) rollout again, as a new
                    PatchRollout.
        history     Past rollouts and reverts of a Deployment, with their checkpoints.
        completion  A shell completion script: bash or zsh.

      The controls patch one field of the PatchRollout's spec (paused, abort, promote):
      the API server's RBAC and admission decide, as for any kubectl change.

      Flags (anywhere):
        -n, --namespace NAMESPACE   the namespace (default: the context's, else default)
        -A, --all-namespaces        every namespace (list, history)
            --context CONTEXT       the kubeconfig context to use
            --kubeconfig FILE       the kubeconfig (default: $KUBECONFIG, ~/.kube/config)
        -o, --output json|yaml      the objects as the API server returns them
        -h, --help                  this help
            --version               the plugin's version
      """;

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, false);
    PrintWriter err = new PrintWriter(System.err, true);
    int code = run(args, out, err);
    out.flush();
    Trace.mark("closed");
    System.exit(code);
  }

  /** The exit code kubectl would give: 0, or 1 for any error, said in one line on stderr. */
  static int run(String[] argv, PrintWriter out, PrintWriter err) {
    Trace.mark("main");
    try {
      if (argv.length > 0 && argv[0].equals("__complete")) {
        // Words being completed may be half a flag ("-"), which the parser would refuse.
        for (String c : Completion.candidates(List.of(argv).subList(1, argv.length))) {
          out.println(c);
        }
        // cobra's ShellCompDirectiveNoFileComp: kubectl offers no file names.
        out.println(":4");
        return 0;
      }
      Args a = Args.parse(argv);
      Trace.mark("parsed");
      if (a.version) {
        out.println(VERSION);
        return 0;
      }
      if (a.help || a.words.isEmpty()) {
        out.print(HELP);
        return 0;
      }
      String verb = a.words.get(0);
      a.only(verb, verb.equals("get"), a.watch ? "--watch" : null);
      a.only(verb, verb.equals("promote"), a.full ? "--full" : null);
      boolean outputs = List.of("get", "list", "ls", "history").contains(verb);
      a.only(verb, outputs, a.output != null ? "--output" : null);
      Output.check(a.output);
      switch (verb) {
        case "get" -> get(a, out);
        case "list", "ls" -> list(a, out);
        case "promote" ->
            control(
                a,
                out,
                a.full ? Controls.Verb.PROMOTE_FULL : Controls.Verb.PROMOTE,
                "promote ROLLOUT [--full]");
        case "pause" -> control(a, out, Controls.Verb.PAUSE, "pause ROLLOUT");
        case "resume" -> control(a, out, Controls.Verb.RESUME, "resume ROLLOUT");
        case "abort" -> control(a, out, Controls.Verb.ABORT, "abort ROLLOUT");
        case "retry" -> retry(a, out);
        case "history" -> history(a, out);
        case "completion" ->
            out.print(Completion.script(a.operands("completion bash|zsh", 1, 1).get(0)));
        default ->
            throw new PluginException(
                "error: unknown command \""
                    + verb
                    + "\" for \"kubectl patchops\" (see kubectl patchops --help)");
      }
      return 0;
    } catch (PluginException e) {
      out.flush();
      err.println(e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      out.flush();
      err.println("error: " + Cluster.oneLine(e));
      return 1;
    }
  }

  static Kind kind(String word) {
    return switch (word.toLowerCase()) {
      case "rollout", "rollouts", "ro", "prl", "patchrollout", "patchrollouts" -> Kind.ROLLOUT;
      case "test", "tests", "ptest", "patchtest", "patchtests" -> Kind.TEST;
      default ->
          throw new PluginException(
              "error: the server doesn't have a resource type \""
                  + word
                  + "\" in PatchOps (rollout, test)");
    };
  }

  /** {@code get rollout NAME} / {@code get test NAME}, once or on every change. */
  static void get(Args a, PrintWriter out) {
    List<String> ops = a.operands("get rollout|test NAME [-w] [-o json|yaml]", 2, 2);
    Kind k = kind(ops.get(0));
    String name = ops.get(1);
    try (Cluster cluster = a.connect()) {
      Trace.mark("client built");
      String ns = cluster.namespace();
      GenericKubernetesResource object = cluster.get(k, ns, name);
      Trace.mark("object read");
      if (!a.watch) {
        out.print(
            a.output != null
                ? Output.one(cluster.client().getKubernetesSerialization(), object, a.output)
                : render(cluster, k, object));
        out.flush();
        Trace.mark("printed");
        return;
      }
      new Watching(cluster, k, ns, name, a.output, out).run(object);
    }
  }

  /** {@code list [rollouts|tests]}: tables, as kubectl prints them. */
  static void list(Args a, PrintWriter out) {
    List<String> ops = a.operands("list [rollouts|tests] [-A] [-o json|yaml]", 0, 1);
    List<Kind> kinds = ops.isEmpty() ? List.of(Kind.ROLLOUT, Kind.TEST) : List.of(kind(ops.get(0)));
    try (Cluster cluster = a.connect()) {
      String ns = a.allNamespaces ? null : cluster.namespace();
      List<GenericKubernetesResource> all = new ArrayList<>();
      StringBuilder text = new StringBuilder();
      for (Kind k : kinds) {
        List<GenericKubernetesResource> items = cluster.list(k, ns);
        all.addAll(items);
        if (kinds.size() > 1) {
          text.append(text.length() == 0 ? "" : "\n").append(k.kind).append("s\n");
        }
        if (items.isEmpty()) {
          text.append(
              ns == null
                  ? "No resources found\n"
                  : "No resources found in " + ns + " namespace.\n");
        } else if (k == Kind.ROLLOUT) {
          text.append(Tables.rollouts(items, ns == null, Instant.now()));
        } else {
          text.append(Tables.tests(items, ns == null, Instant.now()));
        }
      }
      out.print(
          a.output != null
              ? Output.list(cluster.client().getKubernetesSerialization(), all, a.output)
              : text);
    }
  }

  /** The controls: one merge patch of the spec each. */
  static void control(Args a, PrintWriter out, Controls.Verb verb, String usage) {
    String name = a.operands(usage, 1, 1).get(0);
    try (Cluster cluster = a.connect()) {
      String ns = cluster.namespace();
      GenericKubernetesResource rollout = cluster.get(Kind.ROLLOUT, ns, name);
      cluster.mergePatch(Kind.ROLLOUT, ns, name, Controls.patch(verb, rollout, cluster.user()));
      out.println(Kind.ROLLOUT.ref(name) + " " + verb.done);
    }
  }

  /** A new PatchRollout from an ended one: a fresh rollout through every gate. */
  static void retry(Args a, PrintWriter out) {
    String name = a.operands("retry ROLLOUT", 1, 1).get(0);
    try (Cluster cluster = a.connect()) {
      String ns = cluster.namespace();
      GenericKubernetesResource ended = cluster.get(Kind.ROLLOUT, ns, name);
      GenericKubernetesResource created =
          cluster.create(Kind.ROLLOUT, ns, Controls.retryOf(ended, cluster.user()));
      out.println(
          Kind.ROLLOUT.ref(created.getMetadata().getName()) + " created (retry of " + name + ")");
    }
  }

  /** The rollouts of one Deployment, oldest first, with how each ended and its checkpoint. */
  static void history(Args a, PrintWriter out) {
    String deployment =
        Controls.workload(a.operands("history WORKLOAD [-A] [-o json|yaml]", 1, 1).get(0));
    try (Cluster cluster = a.connect()) {
      String ns = a.allNamespaces ? null : cluster.namespace();
      List<GenericKubernetesResource> items =
          cluster.list(Kind.ROLLOUT, ns).stream()
              .filter(r -> deployment.equals(Node.text(r, "spec", "deployment")))
              .sorted(
                  Comparator.comparing(
                          (GenericKubernetesResource r) ->
                              Objects.requireNonNullElse(
                                  r.getMetadata().getCreationTimestamp(), ""))
                      .thenComparing(r -> r.getMetadata().getName()))
              .toList();
      if (a.output != null) {
        out.print(Output.list(cluster.client().getKubernetesSerialization(), items, a.output));
      } else if (items.isEmpty()) {
        out.println(
            "No rollouts of deployment "
                + deployment
                + (ns == null ? "" : " in namespace " + ns)
                + ".");
      } else {
        out.print(Tables.history(items, ns == null));
      }
    }
  }

  static String render(Cluster cluster, Kind kind, GenericKubernetesResource object) {
    if (kind == Kind.TEST) {
      return TestView.render(object);
    }
    return RolloutView.render(object, actualWeight(cluster, object, null));
  }

  /**
   * The canary's real share: from the ready replicas of the stable and canary Deployments, or the
   * weights of the HTTPRoute; {@code seen} holds Deployments a watch already delivered.
   */
  static Integer actualWeight(
      Cluster cluster,
      GenericKubernetesResource rollout,
      Map<String, GenericKubernetesResource> seen) {
    String ns = rollout.getMetadata().getNamespace();
    String deployment = Node.text(rollout, "spec", "deployment");
    if (deployment == null) {
      return null;
    }
    String route = Node.text(rollout, "spec", "httpRoute");
    if (route != null) {
      return RolloutView.actualWeight(rollout, null, null, cluster.httpRouteOrNull(ns, route));
    }
    GenericKubernetesResource stable =
        seen != null ? seen.get(deployment) : cluster.deploymentOrNull(ns, deployment);
    GenericKubernetesResource canary =
        seen != null
            ? seen.get(deployment + "-canary")
            : cluster.deploymentOrNull(ns, deployment + "-canary");
    Trace.mark("deployments read");
    return RolloutView.actualWeight(rollout, stable, canary, null);
  }

  /**
   * The watch of one object and, for a rollout, of the Deployments whose replicas split traffic.
   */
  static final class Watching {
    private static final Object DELETED = new Object();
    private final Cluster cluster;
    private final Kind kind;
    private final String ns;
    private final String name;
    private final String output;
    private final PrintWriter out;
    private final boolean terminal = System.console() != null;

    Watching(Cluster cluster, Kind kind, String ns, String name, String output, PrintWriter out) {
      this.cluster = cluster;
      this.kind = kind;
      this.ns = ns;
      this.name = name;
      this.output = output;
      this.out = out;
    }

    void run(GenericKubernetesResource first) {
      BlockingQueue<Object> changes = new LinkedBlockingQueue<>();
      AtomicReference<GenericKubernetesResource> latest = new AtomicReference<>(first);
      Map<String, GenericKubernetesResource> deployments = new ConcurrentHashMap<>();
      String deployment = Node.text(first, "spec", "deployment");
      List<Watch> watches = new ArrayList<>();
      try {
        watches.add(
            cluster.call(
                () ->
                    cluster
                        .client()
                        .genericKubernetesResources(kind.context())
                        .inNamespace(ns)
                        .withName(name)
                        .watch(
                            new Watcher<>() {
                              @Override
                              public void eventReceived(
                                  Action action, GenericKubernetesResource r) {
                                if (action == Action.DELETED) {
                                  changes.add(DELETED);
                                } else {
                                  latest.set(r);
                                  changes.add(r);
                                }
                              }

                              @Override
                              public void onClose(WatcherException e) {
                                changes.add(e);
                              }
                            }),
                kind));
        if (kind == Kind.ROLLOUT && deployment != null) {
          for (String d : List.of(deployment, deployment + "-canary")) {
            GenericKubernetesResource now = cluster.deploymentOrNull(ns, d);
            if (now != null) {
              deployments.put(d, now);
            }
          }
          watches.add(
              cluster.call(
                  () ->
                      cluster
                          .client()
                          .genericKubernetesResources(Cluster.DEPLOYMENT)
                          .inNamespace(ns)
                          .watch(
                              new Watcher<>() {
                                @Override
                                public void eventReceived(
                                    Action action, GenericKubernetesResource d) {
                                  String n = d.getMetadata().getName();
                                  if (n.equals(deployment) || n.equals(deployment + "-canary")) {
                                    if (action == Action.DELETED) {
                                      deployments.remove(n);
                                    } else {
                                      deployments.put(n, d);
                                    }
                                    changes.add(d);
                                  }
                                }

                                @Override
                                public void onClose(WatcherException e) {
                                  changes.add(e);
                                }
                              }),
                  kind));
        }
        String last = null;
        while (true) {
          GenericKubernetesResource now = latest.get();
          String frame =
              output != null
                  ? Output.one(cluster.client().getKubernetesSerialization(), now, output)
                  : kind == Kind.TEST
                      ? TestView.render(now)
                      : RolloutView.render(now, actualWeight(cluster, now, deployments));
          if (!frame.equals(last)) {
            if (terminal && output == null) {
              out.print("\033[H\033[2J");
            } else if (last != null) {
              out.print(output != null && output.equals("yaml") ? "" : "\n");
            }
            out.print(frame);
            out.flush();
            last = frame;
          }
          if (ended(now)) {
            return;
          }
          Object change = changes.take();
          List<Object> more = new ArrayList<>();
          changes.drainTo(more);
          more.add(0, change);
          for (Object c : more) {
            if (c == DELETED) {
              throw new PluginException("error: " + kind.ref(name) + " was deleted");
            }
            if (c instanceof WatcherException e) {
              throw new PluginException("error: the watch ended: " + Cluster.oneLine(e));
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        watches.forEach(Watch::close);
      }
    }

    private boolean ended(GenericKubernetesResource now) {
      String phase = Node.text(now, "status", "phase");
      if (kind == Kind.ROLLOUT) {
        return phase != null && !RolloutView.active(phase);
      }
      return phase != null && List.of("Passed", "Failed", "Error").contains(phase);
    }
  }
}
