package dev.patchops.orchestrator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.ContractJson;
import dev.patchops.contract.EventType;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.contract.model.TestOutcome;
import dev.patchops.orchestrator.WithOrchestratorInfra;
import dev.patchops.orchestrator.mirror.MirrorNames;
import dev.patchops.orchestrator.mirror.ProductionNamespace;
import dev.patchops.orchestrator.run.k8s.PatchTest;
import dev.patchops.orchestrator.run.k8s.PatchTests;
import dev.patchops.testing.Delivered;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Production runs a node agent as privileged, with the node's filesystem mounted: the mirror
 * refuses the whole run before it makes anything, and says which workload broke which rule.
 */
@QuarkusTest
@WithOrchestratorInfra
class MirrorRefusalTest {
  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject TestRunService runs;
  @Inject PatchTests patchTests;

  private static Deployment nodeAgent(String ns) {
    Map<String, String> app = Map.of("app", "node-agent");
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName("node-agent")
        .withNamespace(ns)
        .withLabels(app)
        .endMetadata()
        .withNewSpec()
        .withReplicas(1)
        .withNewSelector()
        .withMatchLabels(app)
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(app)
        .endMetadata()
        .withNewSpec()
        .withSecurityContext(ProductionNamespace.restrictedPod())
        .addNewContainer()
        .withName("agent")
        .withImage("registry.example/node-agent:3")
        .withNewSecurityContext()
        .withPrivileged(true)
        .withAllowPrivilegeEscalation(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .addNewVolume()
        .withName("host-root")
        .withNewHostPath()
        .withPath("/")
        .endHostPath()
        .endVolume()
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  @Test
  void aPrivilegedHostPathWorkloadInProductionRefusesTheRunAndNothingIsCreated() throws Exception {
    String ticket = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String mirror = MirrorNames.namespace(ticket, 1, 1);
    String source = ProductionNamespace.create(client);
    // Production's namespace enforces nothing: the agent is there as it would be on a real cluster.
    client.resource(nodeAgent(source)).create();
    TestRunRequested request = Requests.checkout(ticket, source, 'f');
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      runs.request(request);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runs.get(request.runId()).state == RunState.CLEANED);
      TestRun run = runs.get(request.runId());

      String reason =
          "mirror refused: Pod Security restricted refuses "
              + "Deployment node-agent: hostPath volume host-root; "
              + "Deployment node-agent: container agent is privileged; "
              + "Deployment node-agent: container agent allowPrivilegeEscalation not false";
      assertThat(run.outcome).isEqualTo(TestOutcome.ERROR);
      assertThat(run.readyPublished).isFalse();
      assertThat(run.analytics.suites()).isEmpty();
      assertThat(run.analytics.environmentIssues()).containsExactly(reason);

      // The event the ticket-service reads says the same, and no environment was ever ready.
      List<ConsumerRecord<String, byte[]>> events =
          probe.collect(
              r -> KafkaProbe.value(r).contains(request.runId()),
              2,
              Duration.ofSeconds(20),
              // Every event of the run is written and sent: a ready event would be in the log.
              Delivered::outboxSent);
      assertThat(events)
          .extracting(r -> KafkaProbe.header(r, CloudEventHeaders.TYPE))
          .doesNotContain(EventType.TEST_ENVIRONMENT_READY.type())
          .contains(EventType.TEST_RUN_COMPLETED.type());
      TestRunCompleted completed =
          ContractJson.mapper()
              .readValue(
                  events.stream()
                      .filter(
                          r ->
                              EventType.TEST_RUN_COMPLETED
                                  .type()
                                  .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)))
                      .findFirst()
                      .orElseThrow()
                      .value(),
                  TestRunCompleted.class);
      assertThat(completed.outcome()).isEqualTo(TestOutcome.ERROR);
      assertThat(completed.analytics().environmentIssues()).containsExactly(reason);

      PatchTest test =
          client
              .resources(PatchTest.class)
              .inNamespace(patchTests.namespace())
              .withName(mirror)
              .get();
      assertThat(test.getStatus().phase).isEqualTo("Error");
      assertThat(test.getStatus().message)
          .contains("Deployment node-agent: container agent is privileged");
      assertThat(test.getStatus().conditions)
          .anySatisfy(c -> assertThat(c.getReason()).isEqualTo("MirrorRefused"));
    }
    // Nothing was made: no namespace, so no copy, no Pod, no Job of the suite.
    assertThat(client.namespaces().withName(mirror).get()).isNull();
    assertThat(client.apps().deployments().inNamespace(mirror).list().getItems()).isEmpty();
    assertThat(client.batch().v1().jobs().inNamespace(mirror).list().getItems()).isEmpty();
    // Production is as it was.
    assertThat(client.apps().deployments().inNamespace(source).list().getItems()).hasSize(11);
  }

  /**
   * Production holds a Role granting everything in its namespace: the orchestrator, which has no
   * escalate, could not have created it, so it refuses the run rather than copy less than there is,
   * and says which Role and which rights; the refusal reaches the ticket and the audit trail.
   */
  @Test
  void aProductionRoleTheOrchestratorCouldNotHaveCreatedRefusesTheRun() throws Exception {
    String ticket = "T-" + UUID.randomUUID().toString().substring(0, 6).toUpperCase();
    String mirror = MirrorNames.namespace(ticket, 1, 1);
    String source = ProductionNamespace.create(client);
    client
        .resource(
            new io.fabric8.kubernetes.api.model.rbac.RoleBuilder()
                .withNewMetadata()
                .withName("namespace-admin")
                .withNamespace(source)
                .endMetadata()
                .addNewRule()
                .withApiGroups("*")
                .withResources("*")
                .withVerbs("*")
                .endRule()
                .build())
        .create();
    TestRunRequested request = Requests.checkout(ticket, source, 'e');
    String reason =
        "mirror refused: the orchestrator copies only RBAC it could have created itself:"
            + " Role namespace-admin grants * */*, which the orchestrator does not hold in its"
            + " mirrors";
    try (KafkaProbe probe = KafkaProbe.fromNow(Topics.TESTS)) {
      runs.request(request);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> runs.get(request.runId()).state == RunState.CLEANED);
      TestRun run = runs.get(request.runId());
      assertThat(run.outcome).isEqualTo(TestOutcome.ERROR);
      assertThat(run.analytics.environmentIssues()).containsExactly(reason);
      List<ConsumerRecord<String, byte[]>> events =
          probe.collect(
              r ->
                  KafkaProbe.value(r).contains(request.runId())
                      && EventType.TEST_RUN_COMPLETED
                          .type()
                          .equals(KafkaProbe.header(r, CloudEventHeaders.TYPE)),
              1,
              Duration.ofSeconds(20),
              Delivered::outboxSent);
      TestRunCompleted completed =
          ContractJson.mapper().readValue(events.get(0).value(), TestRunCompleted.class);
      assertThat(completed.analytics().environmentIssues()).containsExactly(reason);
    }
    assertThat(client.namespaces().withName(mirror).get()).isNull();
  }
}
