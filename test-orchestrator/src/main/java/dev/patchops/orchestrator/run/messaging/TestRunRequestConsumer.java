package dev.patchops.orchestrator.run.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.events.BurnInRequested;
import dev.patchops.contract.events.TestRunRequested;
import dev.patchops.orchestrator.run.RunExecutor;
import dev.patchops.orchestrator.run.TestRunService;
import dev.patchops.platform.messaging.InboundEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * Test-run and burn-in requests from the ticket-service, through one inbox, so a redelivered
 * request of either kind is processed once; the other events on the topic are ours or not for us.
 */
@ApplicationScoped
public class TestRunRequestConsumer {
  static final String CONSUMER = "test-orchestrator.requests";

  @Inject InboundEvents inbound;
  @Inject TestRunService runs;
  @Inject RunExecutor executor;

  @Incoming(Channels.TESTS_IN)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    InboundEvents.Outcome outcome =
        inbound.process(
            CONSUMER,
            record,
            event -> {
              if (event.payload() instanceof TestRunRequested request) {
                runs.request(request);
              } else if (event.payload() instanceof BurnInRequested burnIn) {
                runs.requestBurnIn(burnIn);
              }
            });
    if (outcome == InboundEvents.Outcome.PROCESSED) {
      executor.wake();
    }
  }
}
