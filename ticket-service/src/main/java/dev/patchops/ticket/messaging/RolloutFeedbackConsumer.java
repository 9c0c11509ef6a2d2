package dev.patchops.ticket.messaging;

import dev.patchops.contract.Channels;
import dev.patchops.contract.events.CanaryStepStarted;
import dev.patchops.contract.events.CheckpointRecorded;
import dev.patchops.contract.events.HardwareQuarantineReleased;
import dev.patchops.contract.events.HardwareQuarantined;
import dev.patchops.contract.events.RevertCompleted;
import dev.patchops.contract.events.RolloutNotStarted;
import dev.patchops.contract.events.RolloutPromoted;
import dev.patchops.contract.events.RolloutReverted;
import dev.patchops.contract.events.WatchWindowPassed;
import dev.patchops.platform.messaging.InboundEvents;
import dev.patchops.ticket.hardware.HardwareFixService;
import dev.patchops.ticket.patch.PatchService;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * What the rollout-service reports decides whether a ticket is monitored, resolved or sent back,
 * and whether a hardware ticket's node is quarantined or back in service.
 */
@ApplicationScoped
public class RolloutFeedbackConsumer {
  static final String CONSUMER = "ticket-service.rollouts";

  @Inject InboundEvents inbound;
  @Inject PatchService patches;
  @Inject HardwareFixService hardware;
  @Inject RolloutBinding binding;

  /**
   * Only the rollout of the approved revision and image moves the ticket ({@link RolloutBinding});
   * {@code reached} marks the event by which a rollout reached production.
   */
  private boolean follows(
      String ticketId,
      String rolloutId,
      Integer revision,
      String image,
      String startedBy,
      boolean reached) {
    return binding.follows(
        new RolloutBinding.Seen(ticketId, rolloutId, revision, image, startedBy, reached));
  }

  @Incoming(Channels.ROLLOUTS_IN)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    inbound.process(
        CONSUMER,
        record,
        event -> {
          Object payload = event.payload();
          String actor = event.actor() == null ? "rollout-service" : event.actor();
          if (payload instanceof CheckpointRecorded e) {
            if (follows(
                e.ticketId(), e.rolloutId(), e.revision(), e.image(), e.startedBy(), true)) {
              patches.rolloutProgressing(e.ticketId(), e.rolloutId(), e.revision());
            }
          } else if (payload instanceof CanaryStepStarted e) {
            if (follows(e.ticketId(), e.rolloutId(), null, e.image(), e.startedBy(), false)) {
              patches.rolloutProgressing(e.ticketId(), e.rolloutId(), null);
            }
          } else if (payload instanceof RolloutPromoted e) {
            if (follows(
                e.ticketId(), e.rolloutId(), e.revision(), e.image(), e.startedBy(), false)) {
              patches.rolloutPromoted(e.ticketId(), e.rolloutId(), e.revision());
            }
          } else if (payload instanceof WatchWindowPassed e) {
            if (follows(e.ticketId(), e.rolloutId(), null, e.image(), e.startedBy(), false)) {
              patches.watchWindowPassed(e.ticketId(), e.rolloutId(), actor);
            }
          } else if (payload instanceof RolloutReverted e) {
            if (follows(
                e.ticketId(), e.rolloutId(), e.revision(), e.image(), e.startedBy(), false)) {
              patches.rolloutReverted(e.ticketId(), e.rolloutId(), e.revision(), e.reason());
            }
          } else if (payload instanceof RolloutNotStarted e) {
            if (follows(
                e.ticketId(), e.rolloutId(), e.revision(), e.image(), e.startedBy(), false)) {
              patches.rolloutNotStarted(e.ticketId(), e.rolloutId(), e.revision(), e.reason());
            }
          } else if (payload instanceof RevertCompleted e) {
            if (follows(e.ticketId(), e.rolloutId(), null, e.image(), e.startedBy(), false)) {
              patches.revertCompleted(e.ticketId(), e.rolloutId());
            }
          } else if (payload instanceof HardwareQuarantined e) {
            hardware.quarantined(e);
          } else if (payload instanceof HardwareQuarantineReleased e) {
            hardware.released(e, actor);
          }
        });
  }
}
