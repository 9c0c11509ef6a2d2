package dev.patchops.platform.testapp;

import dev.patchops.platform.messaging.InboundEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * A consumer with the platform's connector defaults and a group of its own, for the test that makes
 * the dead-letter topic refuse writes: its channel fails, and no other consumer goes down with it.
 */
@ApplicationScoped
public class DeadLetterOutageConsumer {
  public static final String CHANNEL = "platform-test-dlq-outage";
  public static final String GROUP = "platform-test-dlq-outage";

  private final List<ConsumerRecord<String, byte[]>> processed = new CopyOnWriteArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> failed = new CopyOnWriteArrayList<>();

  @Inject InboundEvents inbound;

  public List<ConsumerRecord<String, byte[]>> processed() {
    return processed;
  }

  public List<ConsumerRecord<String, byte[]>> failed() {
    return failed;
  }

  @Incoming(CHANNEL)
  @Blocking
  public void consume(ConsumerRecord<String, byte[]> record) {
    try {
      inbound.process(GROUP, record, event -> {});
      processed.add(record);
    } catch (RuntimeException e) {
      failed.add(record);
      throw e;
    }
  }
}
