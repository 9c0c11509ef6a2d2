package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.model.RevertTrigger;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.k8s.PatchRollout;
import dev.patchops.rollout.canary.k8s.RolloutResources;
import dev.patchops.rollout.checkpoint.Snapshot;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A platform engineer's kubectl, the real binary, on a live canary on the real API server: the
 * printer columns, the conditions, and an abort by a merge patch of the spec.
 */
@QuarkusTest
@WithRolloutInfra
class KubectlTest {
  static final Duration WAIT = Duration.ofSeconds(40);

  /** kubectl within one minor of the 1.34 API server, when the machine has it. */
  static final String SKEW_SAFE = "kubectl.1.33";

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;
  @Inject dev.patchops.rollout.checkpoint.Checkpoints checkpoints;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  @Test
  void getDescribeAndAbortALiveCanary() throws Exception {
    Path kubectl = kubectlBinary();
    String ns = Sandbox.shop(client);
    Deployment before = client.apps().deployments().inNamespace(ns).withName("checkout").get();
    String ticketId = RolloutFlowTest.ticket();
    String image = Sandbox.image("", '7');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.ROLLOUTS)) {
      // Long pauses: the canary stays at 10 % until kubectl aborts it.
      String id =
          RolloutFlowTest.createByRest(
              """
              {"ticketId":"%s","revision":1,"image":"%s","namespace":"%s","deployment":"checkout",
               "containers":["app"],"steps":[{"weight":10,"pauseSeconds":600},{"weight":50,"pauseSeconds":600}]}
              """
                  .formatted(ticketId, image, ns));
      // The service makes the rollout's PatchRollout once the rollout is under way.
      await()
          .atMost(WAIT)
          .until(
              () ->
                  rollouts.get(id) != null
                      && rollouts.get(id).phase == RolloutPhase.PROGRESSING
                      && rollouts.get(id).crName != null);
      String name = rollouts.get(id).crName;
      await()
          .atMost(WAIT)
          .until(
              () -> {
                PatchRollout cr =
                    client.resources(PatchRollout.class).inNamespace(ns).withName(name).get();
                return cr != null
                    && cr.getStatus() != null
                    && "PROGRESSING".equals(cr.getStatus().phase)
                    && cr.getStatus().checkpoint != null;
              });
      await()
          .atMost(WAIT)
          .until(
              () -> {
                Deployment canary =
                    client.apps().deployments().inNamespace(ns).withName("checkout-canary").get();
                return canary != null
                    && canary.getStatus() != null
                    && canary.getStatus().getReadyReplicas() != null
                    && canary.getStatus().getReadyReplicas() >= 1;
              });
      String checkpoint = checkpoints.row(id).specHash.substring(0, 12);

      // kubectl get: the declared columns, in the declared order, with the live values.
      String table = run(kubectl, "get", "patchrollouts", "-n", ns);
      Map<String, String> row = row(table, name);
      assertThat(row.keySet())
          .as(table)
          .containsExactly(
              "NAME", "TICKET", "TARGET", "PHASE", "STEP", "WEIGHT", "CHECKPOINT", "AGE");
      assertThat(row)
          .as(table)
          .containsEntry("NAME", name)
          .containsEntry("TICKET", ticketId)
          .containsEntry("TARGET", ns + "/checkout")
          .containsEntry("PHASE", "PROGRESSING")
          .containsEntry("STEP", "1/2")
          .containsEntry("WEIGHT", "10")
          .containsEntry("CHECKPOINT", checkpoint);
      assertThat(row.get("AGE")).as(table).matches("\\d+[smhd]\\S*");

      // kubectl describe: every condition, and the generation the status has caught up with.
      Long generation =
          client
              .resources(PatchRollout.class)
              .inNamespace(ns)
              .withName(name)
              .get()
              .getMetadata()
              .getGeneration();
      String described = run(kubectl, "describe", "patchrollout", "-n", ns, name);
      Described status = Described.status(described);
      assertThat(status.fields())
          .as(described)
          .containsEntry("Observed Generation", "" + generation);
      assertThat(status.fields()).as(described).containsEntry("Phase", "PROGRESSING");
      assertThat(status.conditions())
          .as(described)
          .extracting(c -> c.get("Type"))
          .containsExactly("CheckpointRecorded", "Progressing", "Paused", "Promoted", "Reverted");
      assertThat(status.conditions())
          .as(described)
          .allSatisfy(
              c ->
                  assertThat(c)
                      .containsEntry("Observed Generation", "" + generation)
                      .containsKeys("Last Transition Time", "Reason", "Message", "Status"));
      assertThat(status.condition("CheckpointRecorded"))
          .as(described)
          .containsEntry("Status", "True")
          .containsEntry("Reason", "Recorded")
          .containsEntry("Message", "spec " + checkpoint);
      assertThat(status.condition("Progressing"))
          .as(described)
          .containsEntry("Status", "True")
          .containsEntry("Reason", "PROGRESSING");
      assertThat(status.condition("Reverted")).as(described).containsEntry("Status", "False");

      // kubectl patch of spec.abort, in the name of the user kubectl authenticates as (admission
      // accepts no other): the live canary is reverted to its checkpoint.
      String user = whoAmI();
      String patched =
          run(
              kubectl,
              "patch",
              "patchrollout",
              "-n",
              ns,
              name,
              "--type",
              "merge",
              "-p",
              "{\"metadata\":{\"annotations\":{\""
                  + RolloutResources.REQUESTED_BY
                  + "\":\""
                  + user
                  + "\"}},\"spec\":{\"abort\":true}}");
      assertThat(patched).contains("patchrollout.patchops.dev/" + name + " patched");
      await().atMost(WAIT).until(() -> rollouts.get(id).phase == RolloutPhase.REVERTED);
      Rollout reverted = rollouts.get(id);
      assertThat(reverted.revertTrigger).isEqualTo(RevertTrigger.MANUAL_ABORT);
      Deployment live = client.apps().deployments().inNamespace(ns).withName("checkout").get();
      assertThat(live.getSpec()).isEqualTo(before.getSpec());
      assertThat(Snapshot.specHash(live)).isEqualTo(checkpoints.row(id).specHash);
      Sandbox.assertNoCanaryLeft(client, ns, id);

      // What kubectl shows of it afterwards.
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(row(run(kubectl, "get", "patchrollouts", "-n", ns), name))
                      .containsEntry("PHASE", "REVERTED")
                      .containsEntry("WEIGHT", "0")
                      .containsEntry("CHECKPOINT", checkpoint));
      String afterwards = run(kubectl, "describe", "patchrollout", "-n", ns, name);
      assertThat(Described.status(afterwards).condition("Reverted"))
          .as(afterwards)
          .containsEntry("Status", "True")
          .containsEntry("Reason", "ManualAbort")
          .containsEntry("Message", "aborted by " + user);

      // The trail: who aborted, by the name the API server authenticated.
      List<ConsumerRecord<String, byte[]>> events =
          RolloutFlowTest.eventsOf(probe, ticketId, EventType.REVERT_COMPLETED.type(), WAIT);
      assertThat(RolloutFlowTest.types(events))
          .contains("rollout.canary-step-started", "rollout.reverted", "rollout.revert-completed")
          .doesNotContain("rollout.canary-step-failed", "rollout.promoted");
      ConsumerRecord<String, byte[]> abort = only(events, EventType.ROLLOUT_REVERTED);
      assertThat(KafkaProbe.header(abort, CloudEventHeaders.ACTOR)).isEqualTo(user);
      JsonNode payload = RolloutFlowTest.json(abort);
      assertThat(payload.path("rolloutId").asText()).isEqualTo(id);
      assertThat(payload.path("trigger").asText()).isEqualTo("MANUAL_ABORT");
      assertThat(payload.path("reason").asText()).isEqualTo("aborted by " + user);
      assertThat(payload.path("evidence").get(0).path("observed").asText()).isEqualTo(user);
      assertThat(payload.path("image").asText()).isEqualTo(image);
      assertThat(payload.path("origin").asText()).isEqualTo("REST");
      assertThat(payload.path("startedBy").asText()).isEqualTo("sam");
      assertThat(
              RolloutFlowTest.json(only(events, EventType.REVERT_COMPLETED))
                  .path("verified")
                  .asBoolean())
          .isTrue();
    }
  }

  /** The user of the test cluster's kubeconfig, which kubectl runs as, as the API server says. */
  static String whoAmI() {
    return TestCluster.admin()
        .authentication()
        .v1()
        .selfSubjectReviews()
        .create(new io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview())
        .getStatus()
        .getUserInfo()
        .getUsername();
  }

  static ConsumerRecord<String, byte[]> only(
      List<ConsumerRecord<String, byte[]>> events, EventType type) {
    List<ConsumerRecord<String, byte[]>> matching =
        events.stream()
            .filter(r -> type.type().equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
            .toList();
    assertThat(matching).as("%s events", type.type()).hasSize(1);
    return matching.get(0);
  }

  /**
   * The real binary: {@value #SKEW_SAFE} on the PATH or next to the kubectl the PATH has (where
   * gcloud installs its versions), else that kubectl. None is a failure, never a skip.
   */
  static Path kubectlBinary() throws IOException {
    List<Path> path =
        Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
            .filter(dir -> !dir.isBlank())
            .map(Path::of)
            .toList();
    Optional<Path> skewSafe = onPath(path, SKEW_SAFE);
    if (skewSafe.isPresent()) {
      return skewSafe.get();
    }
    Optional<Path> kubectl = onPath(path, "kubectl");
    if (kubectl.isEmpty()) {
      fail(
          "kubectl is not on the PATH (%s): this test runs the real kubectl against the test"
              + " cluster; install kubectl 1.33 or later",
          path);
    }
    Path sibling = kubectl.get().toRealPath().resolveSibling(SKEW_SAFE);
    return Files.isExecutable(sibling) ? sibling : kubectl.get();
  }

  private static Optional<Path> onPath(List<Path> path, String name) {
    return path.stream()
        .map(dir -> dir.resolve(name))
        .filter(file -> Files.isRegularFile(file) && Files.isExecutable(file))
        .findFirst();
  }

  /** Runs kubectl on the test cluster as its administrator; its stdout, which must succeed. */
  static String run(Path kubectl, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(kubectl.toString());
    command.add("--kubeconfig");
    command.add(TestCluster.kubeconfig().toString());
    command.addAll(List.of(args));
    Path out = Files.createTempFile("kubectl", ".out");
    Path err = Files.createTempFile("kubectl", ".err");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectOutput(out.toFile())
              .redirectError(err.toFile())
              .start();
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
        fail("%s did not finish within 60 s; stderr: %s", command, Files.readString(err));
      }
      String stdout = Files.readString(out);
      assertThat(process.exitValue())
          .as("%s%nstdout: %s%nstderr: %s", command, stdout, Files.readString(err))
          .isZero();
      return stdout;
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  /**
   * The row of {@code name} in kubectl's table, by column: each cell starts where its header does,
   * so an empty cell reads as empty instead of shifting the others.
   */
  static Map<String, String> row(String table, String name) {
    List<String> lines = table.lines().filter(line -> !line.isBlank()).toList();
    assertThat(lines).as(table).isNotEmpty();
    String header = lines.get(0);
    String line =
        lines.stream()
            .skip(1)
            .filter(l -> l.startsWith(name + " "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no row " + name + " in\n" + table));
    List<String> names = Arrays.asList(header.trim().split("\\s+"));
    List<Integer> starts = new ArrayList<>();
    int from = 0;
    for (String column : names) {
      int start = header.indexOf(column, from);
      starts.add(start);
      from = start + column.length();
    }
    Map<String, String> cells = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      int start = Math.min(starts.get(i), line.length());
      int end = i + 1 < names.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
      cells.put(names.get(i), line.substring(start, end).trim());
    }
    return cells;
  }

  /**
   * The {@code Status:} section of {@code kubectl describe}: its own fields (two spaces in) and its
   * conditions (four spaces in, one after the other, each ending with its {@code Type}, the last
   * field in kubectl's alphabetical order).
   */
  record Described(Map<String, String> fields, List<Map<String, String>> conditions) {
    static Described status(String describe) {
      Map<String, String> fields = new LinkedHashMap<>();
      List<Map<String, String>> conditions = new ArrayList<>();
      Map<String, String> condition = new LinkedHashMap<>();
      boolean inStatus = false;
      boolean inConditions = false;
      for (String line : describe.lines().toList()) {
        if (!line.startsWith(" ")) {
          inStatus = line.startsWith("Status:");
          inConditions = false;
          continue;
        }
        if (!inStatus) {
          continue;
        }
        if (line.startsWith("  ") && !line.startsWith("   ")) {
          inConditions = line.trim().equals("Conditions:");
          String[] field = line.trim().split(":\\s*", 2);
          if (field.length == 2 && !field[1].isEmpty()) {
            fields.put(field[0], field[1]);
          }
        } else if (inConditions && line.startsWith("    ") && !line.startsWith("     ")) {
          String[] field = line.trim().split(":\\s*", 2);
          condition.put(field[0], field.length == 2 ? field[1] : "");
          if (field[0].equals("Type")) {
            conditions.add(condition);
            condition = new LinkedHashMap<>();
          }
        }
      }
      assertThat(conditions).as("conditions in%n%s", describe).isNotEmpty();
      return new Described(fields, conditions);
    }

    Map<String, String> condition(String type) {
      return conditions.stream()
          .filter(c -> type.equals(c.get("Type")))
          .findFirst()
          .orElseThrow(() -> new AssertionError("no condition " + type + " in " + conditions));
    }
  }
}
