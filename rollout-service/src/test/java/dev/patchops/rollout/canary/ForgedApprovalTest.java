package dev.patchops.rollout.canary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.patchops.contract.CloudEventHeaders;
import dev.patchops.contract.DeadLetterHeaders;
import dev.patchops.contract.Topics;
import dev.patchops.contract.events.PatchApproved;
import dev.patchops.contract.model.CanaryStep;
import dev.patchops.contract.model.ContainerTarget;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.rollout.Sandbox;
import dev.patchops.rollout.WithRolloutInfra;
import dev.patchops.rollout.canary.messaging.RolloutEventsConsumer;
import dev.patchops.testing.EventSender;
import dev.patchops.testing.KafkaProbe;
import dev.patchops.testing.TestInfra;
import dev.patchops.testing.kube.TestCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code ticket.patch-approved} that does not come from the ticket-service must not roll anything
 * out: only the producer the contract names for a type is trusted.
 */
@QuarkusTest
@WithRolloutInfra
class ForgedApprovalTest {
  private static final Duration WAIT = Duration.ofSeconds(40);

  // Fixtures are the administrator's; the service acts as its own ServiceAccount.
  final KubernetesClient client = TestCluster.admin();
  @Inject RolloutService rollouts;

  @BeforeEach
  void sandbox() {
    Sandbox.start(client);
  }

  @Test
  void anApprovalAsTheRolloutServiceItselfIsDeadLetteredAndTheNextApprovalStillRollsOut()
      throws Exception {
    forgedApprovalChangesNothing("rollout-service");
  }

  @Test
  void anApprovalFromARandomSourceIsDeadLetteredAndTheNextApprovalStillRollsOut() throws Exception {
    forgedApprovalChangesNothing("mallory-laptop");
  }

  private void forgedApprovalChangesNothing(String forger) throws Exception {
    String ns = Sandbox.shop(client);
    String ticketId = "TCK-" + UUID.randomUUID().toString().substring(0, 8);
    WorkloadRef workload = new WorkloadRef(ns, "Deployment", "checkout");
    String forgedImage = Sandbox.image("", 'f');
    String genuineImage = Sandbox.image("", 'c');
    String forgedId = UUID.randomUUID().toString();
    String genuineId = UUID.randomUUID().toString();
    try (KafkaProbe dead = KafkaProbe.fromNow(Topics.DEAD_LETTER)) {
      // Same ticket, so the same key and partition: the genuine approval queues behind the forgery.
      EventSender.send(approval(ticketId, workload, forgedImage), forger, forgedId);
      List<ConsumerRecord<String, byte[]>> parked =
          dead.collect(
              r -> forgedId.equals(KafkaProbe.header(r, CloudEventHeaders.ID)),
              1,
              Duration.ofSeconds(30));
      assertThat(parked).hasSize(1);
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.REASON))
          .contains("untrusted source")
          .contains("/patchops/" + forger)
          .contains("dev.patchops.ticket.patch-approved.v1");
      assertThat(KafkaProbe.header(parked.get(0), DeadLetterHeaders.CONSUMER))
          .startsWith("rollout-service");

      EventSender.send(approval(ticketId, workload, genuineImage), "ticket-service", genuineId);
      String genuineRollout = RolloutEventsConsumer.eventRolloutId(genuineId, workload);
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> rollouts.get(genuineRollout) != null);
    }
    assertThat(rollouts.get(RolloutEventsConsumer.eventRolloutId(forgedId, workload))).isNull();
    assertThat(rolloutImages(ticketId)).containsExactly(genuineImage);
    // Nothing in the cluster ever ran the forged image.
    assertThat(
            client.apps().deployments().inNamespace(ns).list().getItems().stream()
                .flatMap(d -> d.getSpec().getTemplate().getSpec().getContainers().stream())
                .map(c -> c.getImage()))
        .doesNotContain(forgedImage);
  }

  private static PatchApproved approval(String ticketId, WorkloadRef workload, String image) {
    return new PatchApproved(
        ticketId,
        1,
        "ann-approver",
        "dev-dana",
        false,
        null,
        image,
        List.of(new ContainerTarget(workload, "app")),
        List.of(new CanaryStep(50, 0)),
        Instant.now());
  }

  private static List<String> rolloutImages(String ticketId) throws Exception {
    try (Connection c = TestInfra.superuserConnection();
        PreparedStatement s = c.prepareStatement("select image from rollout where ticket_id = ?")) {
      s.setString(1, ticketId);
      try (ResultSet rs = s.executeQuery()) {
        List<String> images = new java.util.ArrayList<>();
        while (rs.next()) {
          images.add(rs.getString(1));
        }
        return images;
      }
    }
  }
}
