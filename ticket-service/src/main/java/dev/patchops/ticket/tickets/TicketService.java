package dev.patchops.ticket.tickets;

import dev.patchops.contract.events.HardwareQuarantineRequested;
import dev.patchops.contract.events.TicketClosed;
import dev.patchops.contract.events.TicketOpened;
import dev.patchops.contract.events.TicketReopened;
import dev.patchops.contract.events.TicketResolved;
import dev.patchops.contract.model.EquipmentRef;
import dev.patchops.contract.model.EquipmentType;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.equipment.Equipment;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.process.Gate;
import dev.patchops.ticket.process.Gates;
import dev.patchops.ticket.process.InvalidInput;
import dev.patchops.ticket.process.NotFound;
import dev.patchops.ticket.process.Policies;
import dev.patchops.ticket.process.Refusal;
import io.quarkus.hibernate.orm.panache.PanacheQuery;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.hibernate.Session;

@ApplicationScoped
public class TicketService {
  @Inject Outbox outbox;
  @Inject Gates gates;
  @Inject EntityManager entityManager;

  /** What a ticket is opened with, whatever its source. */
  public record NewTicket(
      TicketKind kind,
      String title,
      String description,
      Severity severity,
      WorkloadRef workload,
      String equipmentId,
      Instant detectedAt,
      String alertFingerprint) {}

  public record Filter(
      TicketState state, TicketKind kind, Severity severity, String namespace, String workload) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public Ticket open(NewTicket request, String reporter, TicketSource source) {
    return open(nextId(), request, reporter, source);
  }

  /** Numbers a replica takes from the sequence at once; the sequence increments by as much. */
  static final int ID_BLOCK = 32;

  private long nextNumber;
  private long blockEnd;

  /**
   * The next {@code TCK-<n>} id. Each {@code nextval} reserves a block of {@link #ID_BLOCK} numbers
   * for this replica, so only one create in 32 pays the round trip. Ids stay unique across replicas
   * and restarts, but may have gaps and are not in creation order across replicas.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public synchronized String nextId() {
    if (nextNumber == blockEnd) {
      // Plain JDBC on the transaction's connection: a native query would first flush the session
      // (Hibernate cannot tell which tables it reads), splitting a group commit's JDBC batch, and
      // its result mapping costs more than the round trip.
      nextNumber =
          entityManager
              .unwrap(Session.class)
              .doReturningWork(
                  connection -> {
                    try (PreparedStatement next =
                            connection.prepareStatement("select nextval('ticket_number_seq')");
                        ResultSet result = next.executeQuery()) {
                      result.next();
                      return result.getLong(1);
                    }
                  });
      blockEnd = nextNumber + ID_BLOCK;
    }
    return "TCK-" + nextNumber++;
  }

  /** A ticket another service opened with its own id. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Ticket openFromEvent(TicketOpened event, String reporter) {
    return open(
        event.ticketId(),
        new NewTicket(
            event.kind(),
            event.title(),
            event.description(),
            event.severity(),
            event.workload(),
            event.equipment() == null ? null : event.equipment().equipmentId(),
            event.detectedAt(),
            event.alertFingerprint()),
        reporter,
        TicketSource.EVENT);
  }

  /** The checks that need no database; {@link #open} makes them too. */
  public static void check(NewTicket request) {
    if (request.kind() == TicketKind.SOFTWARE && request.workload() == null) {
      throw new InvalidInput("workload", "is required for a SOFTWARE ticket");
    }
    if (request.kind() == TicketKind.HARDWARE && request.equipmentId() == null) {
      throw new InvalidInput("equipmentId", "is required for a HARDWARE ticket");
    }
  }

  /** A software ticket reads no other row, so many can be opened in one transaction. */
  public static boolean groupable(NewTicket request) {
    return request.kind() == TicketKind.SOFTWARE;
  }

  /** What {@link #openAll} opens: a ticket and who reported it from where. */
  public record Opening(NewTicket request, String reporter, TicketSource source) {}

  /**
   * Opens several software tickets in the caller's transaction, as if each had been opened by
   * {@link #open(NewTicket, String, TicketSource)}, with their rows and their events each written
   * in one JDBC batch. Either all of them are written or the call throws.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public List<Ticket> openAll(List<Opening> openings) {
    List<Ticket> opened = new ArrayList<>(openings.size());
    List<Outbox.Event> events = new ArrayList<>(openings.size());
    for (Opening opening : openings) {
      if (!groupable(opening.request())) {
        throw new IllegalArgumentException("only software tickets are opened together");
      }
      opened.add(open(nextId(), opening.request(), opening.reporter(), opening.source(), events));
    }
    outbox.write(events);
    Session session = entityManager.unwrap(Session.class);
    Integer batchSize = session.getJdbcBatchSize();
    session.setJdbcBatchSize(Math.max(1, openings.size()));
    try {
      // Here rather than at commit: a failing row must fail this call, which the caller can retry
      // ticket by ticket, and not the commit, whose outcome the caller could not know.
      session.flush();
    } finally {
      session.setJdbcBatchSize(batchSize);
    }
    return opened;
  }

  private Ticket open(String id, NewTicket request, String reporter, TicketSource source) {
    List<Outbox.Event> events = new ArrayList<>(2);
    Ticket ticket = open(id, request, reporter, source, events);
    outbox.write(events);
    return ticket;
  }

  private Ticket open(
      String id,
      NewTicket request,
      String reporter,
      TicketSource source,
      List<Outbox.Event> events) {
    check(request);
    Ticket ticket = new Ticket();
    ticket.id = id;
    ticket.kind = request.kind();
    ticket.title = request.title();
    ticket.description = request.description();
    ticket.severity = request.severity();
    ticket.reporter = reporter;
    ticket.source = source;
    ticket.state = TicketState.OPENED;
    if (request.workload() != null) {
      ticket.workloadNamespace = request.workload().namespace();
      ticket.workloadKind = request.workload().kind();
      ticket.workloadName = request.workload().name();
    }
    ticket.equipmentId = request.equipmentId();
    ticket.alertFingerprint = request.alertFingerprint();
    ticket.openedAt = Instant.now();
    ticket.detectedAt = request.detectedAt() != null ? request.detectedAt() : ticket.openedAt;
    EquipmentRef equipmentRef = null;
    String nodeName = null;
    if (request.kind() == TicketKind.HARDWARE) {
      // The equipment row lock serialises two tickets racing for the same equipment.
      Equipment equipment =
          Equipment.findById(request.equipmentId(), LockModeType.PESSIMISTIC_WRITE);
      if (equipment == null) {
        throw new InvalidInput(
            "equipmentId", request.equipmentId() + " is not registered equipment");
      }
      var holder = EquipmentLocks.holder(equipment.id);
      if (holder.isPresent()) {
        throw gates.refuse(
            holder.get().id,
            "open-ticket",
            reporter,
            Refusal.conflict(
                Gate.EQUIPMENT_LOCK,
                "equipment "
                    + equipment.id
                    + " is locked by open ticket "
                    + holder.get().id
                    + " (assigned to "
                    + holder.get().assignee
                    + ")"));
      }
      ticket.assignee = equipment.assignee;
      equipmentRef = new EquipmentRef(equipment.id, equipment.kind, equipment.location);
      nodeName = equipment.nodeName;
    }
    ticket.persist();
    events.add(
        outbox.event(
            new TicketOpened(
                ticket.id,
                ticket.kind,
                ticket.title,
                ticket.description,
                ticket.severity,
                reporter,
                source,
                workload(ticket),
                equipmentRef,
                ticket.alertFingerprint,
                ticket.openedAt,
                ticket.detectedAt),
            "tickets/" + ticket.id,
            reporter));
    if (equipmentRef != null && equipmentRef.type() == EquipmentType.NODE) {
      // The rollout-service cordons and taints the node, recording its state as the checkpoint.
      events.add(
          outbox.event(
              new HardwareQuarantineRequested(
                  ticket.id, equipmentRef, nodeName, ticket.assignee, ticket.openedAt),
              "tickets/" + ticket.id + "/equipment/" + equipmentRef.equipmentId(),
              reporter));
    }
    return ticket;
  }

  /** The ticket, locked for the rest of the transaction: the process runs one step at a time. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Ticket lock(String id) {
    Ticket ticket = Ticket.findById(id, LockModeType.PESSIMISTIC_WRITE);
    if (ticket == null) {
      throw new NotFound("ticket " + id);
    }
    return ticket;
  }

  /** Like {@link #lock}, for events: null when the ticket is unknown here. */
  @Transactional(Transactional.TxType.MANDATORY)
  public Ticket lockIfExists(String id) {
    return Ticket.findById(id, LockModeType.PESSIMISTIC_WRITE);
  }

  public Ticket get(String id) {
    Ticket ticket = Ticket.findById(id);
    if (ticket == null) {
      throw new NotFound("ticket " + id);
    }
    return ticket;
  }

  public PanacheQuery<Ticket> search(Filter filter, int page, int size) {
    StringJoiner where = new StringJoiner(" and ");
    Map<String, Object> params = new HashMap<>();
    if (filter.state() != null) {
      where.add("state = :state");
      params.put("state", filter.state());
    }
    if (filter.kind() != null) {
      where.add("kind = :kind");
      params.put("kind", filter.kind());
    }
    if (filter.severity() != null) {
      where.add("severity = :severity");
      params.put("severity", filter.severity());
    }
    if (filter.namespace() != null) {
      where.add("workloadNamespace = :namespace");
      params.put("namespace", filter.namespace());
    }
    if (filter.workload() != null) {
      where.add("workloadName = :workload");
      params.put("workload", filter.workload());
    }
    Sort sort = Sort.descending("openedAt").and("id", Sort.Direction.Descending);
    PanacheQuery<Ticket> query =
        params.isEmpty() ? Ticket.findAll(sort) : Ticket.find(where.toString(), sort, params);
    return query.page(Page.of(page, size));
  }

  /**
   * Moves a ticket on behalf of a person. An illegal move is refused with 409, and the refusal is
   * recorded.
   */
  @Transactional(Transactional.TxType.MANDATORY)
  public void move(Ticket ticket, TicketState next, String actor, String action) {
    gates.enforce(
        ticket.id, action, actor, Policies.transition(ticket.id, ticket.state, next, action));
    apply(ticket, next);
  }

  /** Moves a ticket on behalf of an event; returns false when the move does not apply any more. */
  @Transactional(Transactional.TxType.MANDATORY)
  public boolean follow(Ticket ticket, TicketState next) {
    if (ticket.state == next) {
      return false;
    }
    if (!ticket.state.canMoveTo(next)) {
      return false;
    }
    apply(ticket, next);
    return true;
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void resolve(Ticket ticket, String resolution, String actor) {
    if (follow(ticket, TicketState.RESOLVED)) {
      outbox.publish(
          new TicketResolved(ticket.id, resolution, actor, ticket.resolvedAt),
          "tickets/" + ticket.id,
          actor);
    }
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void close(Ticket ticket, String note, String actor) {
    move(ticket, TicketState.CLOSED, actor, "close");
    outbox.publish(
        new TicketClosed(ticket.id, actor, note, ticket.closedAt), "tickets/" + ticket.id, actor);
  }

  @Transactional(Transactional.TxType.MANDATORY)
  public void reopen(Ticket ticket, String reason, String actor) {
    move(ticket, TicketState.DIAGNOSING, actor, "reopen");
    ticket.resolvedAt = null;
    outbox.publish(
        new TicketReopened(ticket.id, reason, actor, Instant.now()), "tickets/" + ticket.id, actor);
  }

  private static void apply(Ticket ticket, TicketState next) {
    Instant now = Instant.now();
    if (ticket.acknowledgedAt == null && next != TicketState.OPENED) {
      ticket.acknowledgedAt = now;
    }
    switch (next) {
      case MONITORING, REVERTED ->
          ticket.mitigatedAt = ticket.mitigatedAt == null ? now : ticket.mitigatedAt;
      case RESOLVED -> ticket.resolvedAt = now;
      case CLOSED -> ticket.closedAt = now;
      default -> {}
    }
    ticket.state = next;
  }

  public static WorkloadRef workload(Ticket ticket) {
    return ticket.workloadName == null
        ? null
        : new WorkloadRef(ticket.workloadNamespace, ticket.workloadKind, ticket.workloadName);
  }
}
