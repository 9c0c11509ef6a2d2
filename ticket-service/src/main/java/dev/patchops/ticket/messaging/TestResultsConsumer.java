package dev.patchops.ticket.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.events.TestEnvironmentReady;
import dev.patchops.contract.events.TestRunCompleted;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.ticket.hardware.HardwareFixService;
import dev.patchops.ticket.patch.PatchService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** Test results from the test-orchestrator move the ticket on: patch tests and burn-ins alike. */
@ApplicationScoped
public class TestResultsConsumer {
  static final String CONSUMER = "ticket-service.tests";

  @Inject InboundEvents inbound;
  @Inject PatchService patches;
  @Inject HardwareFixService hardware;

  @Incoming(Channels.TESTS_IN)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    inbound.process(
        CONSUMER,
        record,
        event -> {
          if (event.payload() instanceof TestEnvironmentReady ready) {
            patches.environmentReady(
                ready.ticketId(), ready.revision(), ready.runId(), ready.namespace());
          } else if (event.payload() instanceof TestRunCompleted completed
              && completed.burnInNode() != null) {
            hardware.burnInCompleted(
                completed.ticketId(),
                completed.revision(),
                completed.runId(),
                completed.burnInNode(),
                completed.outcome(),
                completed.analytics(),
                completed.completedAt());
          } else if (event.payload() instanceof TestRunCompleted completed) {
            patches.testCompleted(
                completed.ticketId(),
                completed.revision(),
                completed.runId(),
                completed.outcome(),
                completed.analytics(),
                completed.completedAt());
          }
        });
  }
}
