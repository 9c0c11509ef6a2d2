package dev.patchops.ticket.tickets;

import dev.patchops.contract.model.TicketSource;
import dev.patchops.ticket.config.TicketServiceConfig;
import dev.patchops.ticket.tickets.TicketService.NewTicket;
import dev.patchops.ticket.tickets.TicketService.Opening;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Group commit for software tickets opened over REST: tickets that arrive while a writer is busy
 * are opened together in its next transaction, their rows and outbox events written as JDBC
 * batches, so a burst of N tickets costs one transaction instead of N. Each caller gets its ticket
 * only after that transaction committed, and every ticket still commits with its own event.
 *
 * <p>A batch that fails before its commit rolled back whole, so its tickets are retried one by one,
 * each in its own transaction: a bad ticket fails alone. When the commit itself fails, its outcome
 * is unknown and nothing is retried (a retry could open a ticket twice): every caller of the batch
 * gets the error, as it would have without grouping.
 */
@ApplicationScoped
public class TicketGroupCommit {
  private static final Logger LOG = Logger.getLogger(TicketGroupCommit.class);

  private final TicketService tickets;
  private final int maxBatch;
  private final int writerCount;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> writers = new ArrayList<>();
  private final Counter batches;
  private final Counter grouped;
  private final Counter retried;
  private volatile boolean running;

  @Inject
  public TicketGroupCommit(
      TicketService tickets, TicketServiceConfig config, MeterRegistry registry) {
    this.tickets = tickets;
    this.maxBatch = Math.max(1, config.groupCommit().maxBatch());
    this.writerCount = Math.max(1, config.groupCommit().writers());
    this.batches =
        Counter.builder("patchops.ticket.group-commit.transactions")
            .description("Transactions that opened tickets queued for group commit")
            .register(registry);
    this.grouped =
        Counter.builder("patchops.ticket.group-commit.tickets")
            .description(
                "Tickets opened through group commit (tickets / transactions = batch size)")
            .register(registry);
    this.retried =
        Counter.builder("patchops.ticket.group-commit.retried")
            .description(
                "Batches that failed before their commit and were retried ticket by ticket")
            .register(registry);
  }

  private record Pending(Opening opening, CompletableFuture<Ticket> result, Context context) {
    void succeed(Ticket ticket) {
      if (context == null) {
        result.complete(ticket);
      } else {
        context.runOnContext(v -> result.complete(ticket));
      }
    }

    void fail(Throwable failure) {
      if (context == null) {
        result.completeExceptionally(failure);
      } else {
        context.runOnContext(v -> result.completeExceptionally(failure));
      }
    }

    void complete(Supplier<Ticket> open) {
      try {
        succeed(open.get());
      } catch (RuntimeException | Error e) {
        fail(e);
      }
    }
  }

  void onStart(@Observes StartupEvent event) {
    if (maxBatch == 1) {
      LOG.info("ticket group commit is off (max-batch=1): every ticket commits alone");
      return;
    }
    running = true;
    for (int i = 0; i < writerCount; i++) {
      Thread writer = new Thread(this::write, "ticket-group-commit-" + i);
      writer.setDaemon(true);
      writer.start();
      writers.add(writer);
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    running = false;
    // Writers drain the queue before they stop: a ticket accepted is committed or refused.
    for (Thread writer : writers) {
      try {
        writer.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Opens a ticket; the stage completes once it is committed, or fails with what opening it alone
   * would have thrown. A software ticket is queued for the writers. Called on a Vert.x event loop
   * (a REST request), it completes on that event loop, so the writer only hands the result over and
   * moves on to the next batch.
   */
  public CompletionStage<Ticket> submit(NewTicket request, String reporter, TicketSource source) {
    TicketService.check(request);
    Opening opening = new Opening(request, reporter, source);
    Context current = Vertx.currentContext();
    Context eventLoop = current != null && Context.isOnEventLoopThread() ? current : null;
    if (!running || !TicketService.groupable(request)) {
      // Grouping is off, or this is before startup or after shutdown, so no writer would take it;
      // or a hardware ticket, which locks its equipment and may be refused by a gate.
      return openAloneNow(opening, eventLoop);
    }
    CompletableFuture<Ticket> result = new CompletableFuture<>();
    Pending pending = new Pending(opening, result, eventLoop);
    queue.add(pending);
    if (!running && queue.remove(pending)) {
      // Shutdown began meanwhile and the writers may have left; it was still ours to open.
      return openAloneNow(opening, eventLoop);
    }
    return result;
  }

  /** Opens the ticket in its own transaction, off the event loop if called on one. */
  private CompletionStage<Ticket> openAloneNow(Opening opening, Context eventLoop) {
    if (eventLoop != null) {
      return eventLoop.executeBlocking(() -> openAlone(opening), false).toCompletionStage();
    }
    try {
      return CompletableFuture.completedFuture(openAlone(opening));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private void write() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        commit(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | Error e) {
        // commit completes every future itself; this is the last line against a lost caller.
        LOG.error("ticket group commit failed unexpectedly", e);
        for (Pending pending : batch) {
          pending.fail(e);
        }
      } finally {
        batch.clear();
      }
    }
  }

  /** Commits the batch and completes each of its callers. */
  void commit(List<Pending> batch) {
    batches.increment();
    grouped.increment(batch.size());
    if (batch.size() == 1) {
      commitAlone(batch.get(0));
      return;
    }
    List<Opening> openings = new ArrayList<>(batch.size());
    for (Pending pending : batch) {
      openings.add(pending.opening());
    }
    List<Ticket> opened;
    try {
      opened =
          QuarkusTransaction.requiringNew()
              .call(
                  () -> {
                    try {
                      return tickets.openAll(openings);
                    } catch (RuntimeException e) {
                      throw new RolledBack(e);
                    }
                  });
    } catch (RolledBack e) {
      retried.increment();
      batches.increment(batch.size());
      LOG.debugf(e.getCause(), "a batch of %d tickets failed; retrying each alone", batch.size());
      for (Pending pending : batch) {
        commitAlone(pending);
      }
      return;
    } catch (RuntimeException e) {
      for (Pending pending : batch) {
        pending.fail(e);
      }
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).succeed(opened.get(i));
    }
  }

  private void commitAlone(Pending pending) {
    pending.complete(() -> openAlone(pending.opening()));
  }

  private Ticket openAlone(Opening opening) {
    return QuarkusTransaction.requiringNew()
        .call(() -> tickets.open(opening.request(), opening.reporter(), opening.source()));
  }

  /** Batches retried ticket by ticket since startup. */
  double retriedBatches() {
    return retried.count();
  }

  /** For tests: commits these tickets as one batch, on the calling thread. */
  List<CompletableFuture<Ticket>> commitBatch(List<Opening> openings) {
    List<Pending> batch = new ArrayList<>(openings.size());
    for (Opening opening : openings) {
      batch.add(new Pending(opening, new CompletableFuture<>(), null));
    }
    commit(batch);
    return batch.stream().map(Pending::result).toList();
  }

  private static final class RolledBack extends RuntimeException {
    RolledBack(RuntimeException cause) {
      super(cause.getMessage(), cause, false, false);
    }
  }
}
