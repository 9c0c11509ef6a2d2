package dev.patchops.orchestrator.k8s;

import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Wakes a polling loop as soon as the API server reports a change, instead of at its next poll. The
 * loop still reads the state itself and still polls, so a watch that fails, is refused or closes
 * early costs latency, never correctness.
 */
public final class ChangeSignal implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ChangeSignal.class);

  private final Semaphore changed = new Semaphore(0);
  private final List<Watch> watches = new ArrayList<>();

  /** Opens a watch with {@code open}, given the watcher to pass to fabric8's {@code watch}. */
  public <T> ChangeSignal on(Function<Watcher<T>, Watch> open) {
    Watcher<T> watcher =
        new Watcher<>() {
          @Override
          public void eventReceived(Action action, T resource) {
            changed.release();
          }

          @Override
          public void onClose(WatcherException cause) {
            changed.release();
          }
        };
    try {
      watches.add(open.apply(watcher));
    } catch (RuntimeException e) {
      LOG.debugf("no watch (%s): polling only", e.getMessage());
    }
    return this;
  }

  /** Until a change is reported or {@code poll} has passed, whichever comes first. */
  public void await(Duration poll) throws InterruptedException {
    if (changed.tryAcquire(poll.toMillis(), TimeUnit.MILLISECONDS)) {
      changed.drainPermits();
    }
  }

  @Override
  public void close() {
    watches.forEach(Watch::close);
  }
}
