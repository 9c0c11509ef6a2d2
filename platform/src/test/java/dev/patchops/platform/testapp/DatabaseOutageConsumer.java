package dev.patchops.platform.testapp;

import dev.patchops.contract.events.TicketOpened;
import dev.patchops.platform.messaging.InboundEvents;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * A consumer whose database never comes back for events titled {@link #DOWN}: their handling fails
 * as a lost connection does. Its own channel and group, so that only this channel fails when the
 * inbox gives up waiting.
 */
@ApplicationScoped
public class DatabaseOutageConsumer {
  public static final String CHANNEL = "platform-test-db-outage";
  public static final String GROUP = "platform-test-db-outage";
  public static final String DOWN = "database down";

  private final AtomicInteger handlerRuns = new AtomicInteger();
  private final List<ConsumerRecord<String, byte[]>> processed = new CopyOnWriteArrayList<>();
  private final List<ConsumerRecord<String, byte[]>> failed = new CopyOnWriteArrayList<>();

  @Inject InboundEvents inbound;

  public int handlerRuns() {
    return handlerRuns.get();
  }

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
      inbound.process(
          GROUP,
          record,
          event -> {
            if (!(event.payload() instanceof TicketOpened opened && DOWN.equals(opened.title()))) {
              return;
            }
            handlerRuns.incrementAndGet();
            throw new IllegalStateException(
                "cannot persist",
                new SQLTransientConnectionException("connection refused", "08001"));
          });
      processed.add(record);
    } catch (RuntimeException e) {
      failed.add(record);
      throw e;
    }
  }
}
