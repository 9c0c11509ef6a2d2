package dev.patchops.kubectl;

import dev.patchops.kubectl.Cluster.Kind;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apps.Deployment;
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
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kubectl patchops}: the PatchRollouts and PatchTests of the cluster of the user's
 * kubeconfig, as trees and tables, and the manual controls of a rollout through its spec.
 */
@Command(
    name = "kubectl-patchops",
    mixinStandardHelpOptions = true,
    version = "kubectl-patchops 0.1.0",
    description = "PatchOps rollouts and tests, for platform engineers.",
    subcommands = {
      Main.Get.class,
      Main.ListCmd.class,
      Main.Promote.class,
      Main.Pause.class,
      Main.Resume.class,
      Main.Abort.class,
      Main.Retry.class,
      Main.History.class,
      Main.CompletionCmd.class
    })
public final class Main implements Runnable {
  @Mixin Globals globals = new Globals();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** The exit code kubectl would give: 0, or 1 for any error. */
  static int run(String[] args, PrintWriter out, PrintWriter err) {
    Trace.mark("main");
    if (args.length > 0 && args[0].equals("__complete")) {
      // Words being completed may be half an option ("-"), which a parser would refuse.
      for (String c : Completion.candidates(List.of(args).subList(1, args.length))) {
        out.println(c);
      }
      // cobra's ShellCompDirectiveNoFileComp: kubectl offers no file names.
      out.println(":4");
      out.flush();
      return 0;
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setParameterExceptionHandler(
        (e, a) -> {
          err.println("error: " + e.getMessage());
          err.println("See 'kubectl patchops --help' for usage.");
          return 1;
        });
    cli.setExecutionExceptionHandler(
        (e, c, p) -> {
          if (e instanceof PluginException) {
            err.println(e.getMessage());
          } else {
            err.println("error: " + Cluster.oneLine(e));
          }
          return 1;
        });
    return cli.execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
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
  @Command(name = "get", description = "Show a rollout or a test as a tree.")
  static final class Get implements Runnable {
    @ParentCommand Main root;
    @Mixin Globals globals = new Globals();

    @Parameters(index = "0", paramLabel = "KIND", description = "rollout or test")
    String kind;

    @Parameters(index = "1", paramLabel = "NAME")
    String name;

    @Option(
        names = {"-w", "--watch"},
        description = "Redraw on every change; ends when the rollout ends.")
    boolean watch;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "json or yaml")
    String output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Output.check(output);
      Kind k = kind(kind);
      Globals g = globals.over(root.globals);
      PrintWriter out = spec.commandLine().getOut();
      Trace.mark("parsed");
      try (Cluster cluster = g.connect()) {
        Trace.mark("client built");
        String ns = cluster.namespace();
        GenericKubernetesResource object = cluster.get(k, ns, name);
        Trace.mark("object read");
        if (!watch) {
          out.print(
              output != null
                  ? Output.one(cluster.client().getKubernetesSerialization(), object, output)
                  : render(cluster, k, object));
          out.flush();
          Trace.mark("printed");
          return;
        }
        new Watching(cluster, k, ns, name, output, out).run(object);
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
      Cluster cluster, GenericKubernetesResource rollout, Map<String, Deployment> seen) {
    String ns = rollout.getMetadata().getNamespace();
    String deployment = Node.text(rollout, "spec", "deployment");
    if (deployment == null) {
      return null;
    }
    String route = Node.text(rollout, "spec", "httpRoute");
    if (route != null) {
      return RolloutView.actualWeight(rollout, null, null, cluster.httpRouteOrNull(ns, route));
    }
    Deployment stable =
        seen != null ? seen.get(deployment) : cluster.deploymentOrNull(ns, deployment);
    Deployment canary =
        seen != null
            ? seen.get(deployment + "-canary")
            : cluster.deploymentOrNull(ns, deployment + "-canary");
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
      Map<String, Deployment> deployments = new ConcurrentHashMap<>();
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
            Deployment now = cluster.deploymentOrNull(ns, d);
            if (now != null) {
              deployments.put(d, now);
            }
          }
          watches.add(
              cluster.call(
                  () ->
                      cluster
                          .client()
                          .apps()
                          .deployments()
                          .inNamespace(ns)
                          .watch(
                              new Watcher<>() {
                                @Override
                                public void eventReceived(Action action, Deployment d) {
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

  /** {@code list [rollouts|tests]}: tables, as kubectl prints them. */
  @Command(
      name = "list",
      aliases = "ls",
      description = "List rollouts and tests (-A: in every namespace).")
  static final class ListCmd implements Runnable {
    @ParentCommand Main root;
    @Mixin Globals globals = new Globals();

    @Parameters(
        index = "0",
        arity = "0..1",
        paramLabel = "KIND",
        description = "rollouts or tests (default: both)")
    String kind;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "json or yaml")
    String output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Output.check(output);
      Globals g = globals.over(root.globals);
      PrintWriter out = spec.commandLine().getOut();
      List<Kind> kinds = kind == null ? List.of(Kind.ROLLOUT, Kind.TEST) : List.of(kind(kind));
      try (Cluster cluster = g.connect()) {
        String ns = g.allNamespaces ? null : cluster.namespace();
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
            output != null
                ? Output.list(cluster.client().getKubernetesSerialization(), all, output)
                : text);
        out.flush();
      }
    }
  }

  /** The controls: one merge patch of the spec each. */
  abstract static class Control implements Runnable {
    @ParentCommand Main root;
    @Mixin Globals globals = new Globals();

    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String name;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    abstract Controls.Verb verb();

    @Override
    public void run() {
      Globals g = globals.over(root.globals);
      try (Cluster cluster = g.connect()) {
        String ns = cluster.namespace();
        GenericKubernetesResource rollout = cluster.get(Kind.ROLLOUT, ns, name);
        String patch = Controls.patch(verb(), rollout);
        cluster.mergePatch(Kind.ROLLOUT, ns, name, patch);
        spec.commandLine().getOut().println(Kind.ROLLOUT.ref(name) + " " + verb().done);
      }
    }
  }

  @Command(
      name = "promote",
      description = "Pass the current canary step (--full: skip every remaining step).")
  static final class Promote extends Control {
    @Option(names = "--full", description = "Skip every remaining step and promote to 100%.")
    boolean full;

    @Override
    Controls.Verb verb() {
      return full ? Controls.Verb.PROMOTE_FULL : Controls.Verb.PROMOTE;
    }
  }

  @Command(name = "pause", description = "Hold the rollout at its current step.")
  static final class Pause extends Control {
    @Override
    Controls.Verb verb() {
      return Controls.Verb.PAUSE;
    }
  }

  @Command(name = "resume", description = "Let a paused rollout go on.")
  static final class Resume extends Control {
    @Override
    Controls.Verb verb() {
      return Controls.Verb.RESUME;
    }
  }

  @Command(name = "abort", description = "Revert to the checkpoint at once.")
  static final class Abort extends Control {
    @Override
    Controls.Verb verb() {
      return Controls.Verb.ABORT;
    }
  }

  /** A new PatchRollout from an ended one: a fresh rollout through every gate. */
  @Command(
      name = "retry",
      description =
          "Start an ended (reverted, failed, refused) rollout again, as a new PatchRollout.")
  static final class Retry implements Runnable {
    @ParentCommand Main root;
    @Mixin Globals globals = new Globals();

    @Parameters(index = "0", paramLabel = "ROLLOUT")
    String name;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Globals g = globals.over(root.globals);
      try (Cluster cluster = g.connect()) {
        String ns = cluster.namespace();
        GenericKubernetesResource ended = cluster.get(Kind.ROLLOUT, ns, name);
        GenericKubernetesResource created =
            cluster.create(Kind.ROLLOUT, ns, Controls.retryOf(ended));
        spec.commandLine()
            .getOut()
            .println(
                Kind.ROLLOUT.ref(created.getMetadata().getName())
                    + " created (retry of "
                    + name
                    + ")");
      }
    }
  }

  /** The rollouts of one Deployment, oldest first, with how each ended and its checkpoint. */
  @Command(
      name = "history",
      description = "Past rollouts and reverts of a workload, with their checkpoints.")
  static final class History implements Runnable {
    @ParentCommand Main root;
    @Mixin Globals globals = new Globals();

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "checkout or deploy/checkout")
    String workload;

    @Option(
        names = {"-o", "--output"},
        paramLabel = "FORMAT",
        description = "json or yaml")
    String output;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      Output.check(output);
      String deployment = Controls.workload(workload);
      Globals g = globals.over(root.globals);
      try (Cluster cluster = g.connect()) {
        String ns = g.allNamespaces ? null : cluster.namespace();
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
        PrintWriter out = spec.commandLine().getOut();
        if (output != null) {
          out.print(Output.list(cluster.client().getKubernetesSerialization(), items, output));
        } else if (items.isEmpty()) {
          out.println(
              "No rollouts of deployment "
                  + deployment
                  + (ns == null ? "" : " in namespace " + ns)
                  + ".");
        } else {
          out.print(Tables.history(items, ns == null));
        }
        out.flush();
      }
    }
  }

  @Command(name = "completion", description = "A shell completion script: bash or zsh.")
  static final class CompletionCmd implements Runnable {
    @Parameters(index = "0", paramLabel = "SHELL", description = "bash or zsh")
    String shell;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      spec.commandLine().getOut().print(Completion.script(shell));
      spec.commandLine().getOut().flush();
    }
  }
}
