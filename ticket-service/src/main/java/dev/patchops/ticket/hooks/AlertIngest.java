package dev.patchops.ticket.hooks;

import dev.patchops.contract.events.AlertReceived;
import dev.patchops.contract.events.AlertResolved;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.contract.model.WorkloadRef;
import dev.patchops.platform.messaging.Outbox;
import dev.patchops.ticket.config.TicketServiceConfig;
import dev.patchops.ticket.equipment.Equipment;
import dev.patchops.ticket.equipment.EquipmentLocks;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.hibernate.Session;

/**
 * Turns alerts from any hook into occurrences, tickets and alert events. Idempotent per occurrence:
 * Alertmanager pairs in HA mode deliver the same alert several times, and only the first counts.
 */
@ApplicationScoped
public class AlertIngest {
  @Inject TicketService tickets;
  @Inject Outbox outbox;
  @Inject EntityManager entityManager;
  @Inject TicketServiceConfig config;

  /** Inserts of one batch's new occurrences sent to PostgreSQL per round trip. */
  private static final int JDBC_BATCH = 100;

  public record Result(
      int received, int duplicates, Set<String> tickets, int uncorrelated, int refused) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public Result ingest(String source, java.util.List<AlertSignal> signals) {
    String actor = "hook:" + source;
    int duplicates = 0;
    int uncorrelated = 0;
    int refused = 0;
    Set<String> touched = new TreeSet<>();
    // One time for the whole batch: a new ticket's detection time is its first alert's start, and
    // an alert without a start (PagerDuty) starts when the batch arrived.
    Instant now = Instant.now();
    // Every alert and workload lock first: concurrent deliveries of one alert queue here instead
    // of racing on the unique key, and two groups of one workload open one ticket.
    lockInOneOrder(source, signals);
    // A group of 50 alerts made about 200 round trips to PostgreSQL, one per alert for its
    // occurrence, its lock, its workload's lock and its workload's ticket, plus one insert each
    // (the alert storm benchmark). Now the batch's occurrences are read in one query, its
    // workloads' open tickets locked in one, and the new occurrences inserted in one JDBC batch.
    entityManager.unwrap(Session.class).setJdbcBatchSize(JDBC_BATCH);
    Map<String, java.util.List<AlertOccurrence>> known = occurrences(source, signals);
    Map<String, Ticket> open = openTickets(source, signals, known);
    // The first groups of a storm name workloads without a ticket: one by one, their reopen
    // queries and ticket inserts took four times as long as any other group (the tail of the
    // storm benchmark). They are opened together, before the loop finds them in `open`.
    openMissing(source, signals, known, open, actor, now);
    // The batch's alert events go to the outbox in one JDBC batch, after the events of the
    // tickets the batch opened or reopened: no alert event comes before its ticket's.
    java.util.List<Outbox.Event> pending = new java.util.ArrayList<>();
    for (AlertSignal signal : signals) {
      AlertOccurrence occurrence = find(source, signal, known);
      switch (signal.status()) {
        case FIRING -> {
          if (occurrence != null) {
            occurrence.deliveries++;
            occurrence.lastSeenAt = now;
            duplicates++;
            if (occurrence.ticketId != null) {
              touched.add(occurrence.ticketId);
            }
            continue;
          }
          occurrence = newOccurrence(source, signal, now);
          known
              .computeIfAbsent(occurrence.fingerprint, f -> new java.util.ArrayList<>())
              .add(occurrence);
          String refusal = AlertTargets.refusal(signal.labels());
          if (refusal != null) {
            // Received and kept, so a redelivery is a duplicate; but it names nothing to act on.
            occurrence.workloadNamespace = null;
            occurrence.workloadName = null;
            occurrence.nodeName = null;
            refused++;
          }
          Ticket ticket =
              refusal != null
                  ? null
                  : correlate(occurrence, signal, actor, pending, open).orElse(null);
          if (ticket == null && refusal == null) {
            uncorrelated++;
          }
          if (ticket != null) {
            occurrence.ticketId = ticket.id;
            touched.add(ticket.id);
          }
          occurrence.persist();
          pending.add(
              outbox.event(
                  new AlertReceived(
                      occurrence.ticketId,
                      occurrence.fingerprint,
                      source,
                      occurrence.alertName,
                      severity(signal.severity()),
                      occurrence.labels,
                      occurrence.annotations,
                      workload(occurrence),
                      occurrence.startsAt,
                      refusal),
                  "alerts/" + occurrence.fingerprint,
                  actor));
        }
        case ACKNOWLEDGED -> {
          if (occurrence == null || occurrence.endedAt != null) {
            duplicates++;
            continue;
          }
          occurrence.acknowledgedAt =
              occurrence.acknowledgedAt == null ? now : occurrence.acknowledgedAt;
          occurrence.deliveries++;
        }
        case RESOLVED -> {
          if (occurrence == null || occurrence.endedAt != null) {
            // A resolve for an alert that is not open is dropped, as PagerDuty does.
            duplicates++;
            continue;
          }
          if (occurrence.ticketId != null) {
            // Ticket row before outbox key, the lock order of every other path.
            tickets.lockIfExists(occurrence.ticketId);
          }
          occurrence.endedAt = signal.endsAt() != null ? signal.endsAt() : now;
          occurrence.lastSeenAt = now;
          occurrence.deliveries++;
          if (occurrence.ticketId != null) {
            touched.add(occurrence.ticketId);
          }
          pending.add(
              outbox.event(
                  new AlertResolved(
                      occurrence.ticketId,
                      occurrence.fingerprint,
                      source,
                      occurrence.alertName,
                      workload(occurrence),
                      occurrence.endedAt),
                  "alerts/" + occurrence.fingerprint,
                  actor));
        }
      }
    }
    writePending(pending);
    return new Result(signals.size(), duplicates, touched, uncorrelated, refused);
  }

  /**
   * The occurrence a signal names: for a signal with its start time, from the batch's occurrences
   * read up front (and those the batch created since); without one (PagerDuty), the open one.
   */
  private static AlertOccurrence find(
      String source, AlertSignal signal, Map<String, java.util.List<AlertOccurrence>> known) {
    if (signal.startsAt() != null) {
      for (AlertOccurrence occurrence :
          known.getOrDefault(signal.fingerprint(), java.util.List.of())) {
        if (sameStart(occurrence.startsAt, signal.startsAt())) {
          return occurrence;
        }
      }
      return null;
    }
    return AlertOccurrence.find(
            "source = ?1 and fingerprint = ?2 and endedAt is null order by startsAt desc",
            source,
            signal.fingerprint())
        .firstResult();
  }

  /**
   * Whether a stored start is the given one: PostgreSQL keeps microseconds, and the driver rounds
   * the nanoseconds of a time it writes (the equality query it replaces compared the rounded time).
   */
  static boolean sameStart(Instant stored, Instant given) {
    if (stored.equals(given)) {
      return true;
    }
    Instant truncated = given.truncatedTo(ChronoUnit.MICROS);
    return stored.equals(truncated) || stored.equals(truncated.plus(1, ChronoUnit.MICROS));
  }

  /** The stored occurrences of the batch's fingerprints (those with a start time), in one query. */
  private static Map<String, java.util.List<AlertOccurrence>> occurrences(
      String source, java.util.List<AlertSignal> signals) {
    Map<String, java.util.List<AlertOccurrence>> known = new HashMap<>();
    Set<String> fingerprints = new TreeSet<>();
    for (AlertSignal signal : signals) {
      if (signal.startsAt() != null) {
        fingerprints.add(signal.fingerprint());
      }
    }
    if (fingerprints.isEmpty()) {
      return known;
    }
    java.util.List<AlertOccurrence> found =
        AlertOccurrence.list(
            "source = ?1 and fingerprint in ?2", source, java.util.List.copyOf(fingerprints));
    for (AlertOccurrence occurrence : found) {
      known
          .computeIfAbsent(occurrence.fingerprint, f -> new java.util.ArrayList<>())
          .add(occurrence);
    }
    return known;
  }

  /**
   * The newest open software ticket of each workload that a new firing alert of the batch names,
   * locked in one statement in the order of the ticket ids (the workload locks are already held, so
   * no other group of these workloads waits here). Keyed by {@link #workloadKey}.
   */
  private Map<String, Ticket> openTickets(
      String source,
      java.util.List<AlertSignal> signals,
      Map<String, java.util.List<AlertOccurrence>> known) {
    Map<String, AlertSignal> workloads = new java.util.LinkedHashMap<>();
    for (AlertSignal signal : signals) {
      if (mayOpen(source, signal, known, false)) {
        workloads.putIfAbsent(
            workloadKey(signal.labels().get("namespace"), signal.labels().get("deployment")),
            signal);
      }
    }
    if (workloads.isEmpty()) {
      return new HashMap<>();
    }
    return newestLocked(
        workloads.values(),
        "%1$s.state not in (:resolved, :closed)",
        "opened_at",
        Map.of("resolved", TicketState.RESOLVED.name(), "closed", TicketState.CLOSED.name()));
  }

  /**
   * Whether a signal is a new firing alert on a workload it may act on: the alerts the loop
   * correlates with their workload's ticket. A signal without a start time (PagerDuty) is looked up
   * only when {@code exact}, as that costs a query; otherwise it counts as new.
   */
  private static boolean mayOpen(
      String source,
      AlertSignal signal,
      Map<String, java.util.List<AlertOccurrence>> known,
      boolean exact) {
    return signal.status() == AlertSignal.Status.FIRING
        && signal.labels().get("namespace") != null
        && signal.labels().get("deployment") != null
        && ((signal.startsAt() == null && !exact) || find(source, signal, known) == null)
        && AlertTargets.refusal(signal.labels()) == null;
  }

  /**
   * Gives every workload a new alert of the batch names, and that has no open ticket, its ticket: a
   * ticket resolved within the reopen window is reopened, and the others are opened together, in
   * one JDBC batch, each from the first alert that names its workload.
   */
  private void openMissing(
      String source,
      java.util.List<AlertSignal> signals,
      Map<String, java.util.List<AlertOccurrence>> known,
      Map<String, Ticket> open,
      String actor,
      Instant now) {
    Map<String, AlertSignal> first = new java.util.LinkedHashMap<>();
    Map<String, java.util.List<AlertSignal>> earlier = new HashMap<>();
    for (AlertSignal signal : signals) {
      if (signal.status() == AlertSignal.Status.FIRING && repeatsEarlier(signal, earlier)) {
        // The loop counts it a duplicate of the batch's first copy, whatever its labels name.
        continue;
      }
      if (mayOpen(source, signal, known, true)) {
        String key =
            workloadKey(signal.labels().get("namespace"), signal.labels().get("deployment"));
        if (!open.containsKey(key)) {
          first.putIfAbsent(key, signal);
        }
      }
    }
    if (first.isEmpty()) {
      return;
    }
    Map<String, Ticket> recent = recentlyResolved(first.values());
    java.util.List<TicketService.Opening> openings = new java.util.ArrayList<>();
    java.util.List<String> keys = new java.util.ArrayList<>();
    for (Map.Entry<String, AlertSignal> entry : first.entrySet()) {
      AlertSignal signal = entry.getValue();
      Ticket resolved = recent.get(entry.getKey());
      if (resolved != null) {
        tickets.reopen(
            resolved,
            "alert " + signal.alertName() + " (" + signal.fingerprint() + ") fired again",
            actor);
        open.put(entry.getKey(), resolved);
      } else {
        openings.add(new TicketService.Opening(newTicket(signal, now), actor, TicketSource.ALERT));
        keys.add(entry.getKey());
      }
    }
    if (!openings.isEmpty()) {
      java.util.List<Ticket> opened = tickets.openAll(openings);
      for (int i = 0; i < opened.size(); i++) {
        open.put(keys.get(i), opened.get(i));
      }
    }
  }

  /**
   * The newest ticket of each of these alerts' workloads resolved within the reopen window, read
   * and locked in one statement in the order of the ticket ids. Keyed by {@link #workloadKey}.
   */
  private Map<String, Ticket> recentlyResolved(java.util.Collection<AlertSignal> signals) {
    return newestLocked(
        signals,
        "%1$s.state = :resolved and %1$s.resolved_at > :since",
        "resolved_at",
        Map.of(
            "resolved",
            TicketState.RESOLVED.name(),
            "since",
            Instant.now().minus(config.hooks().reopenWindow())));
  }

  /**
   * Per workload the signals name (one signal per workload), its newest software ticket (by {@code
   * newest}) that meets {@code condition}, read and locked in one statement in the order of the
   * ticket ids. The condition names its table {@code %1$s}: it is checked again on the locked row,
   * which a concurrent change may have moved on. Keyed by {@link #workloadKey}.
   */
  private Map<String, Ticket> newestLocked(
      java.util.Collection<AlertSignal> signals,
      String condition,
      String newest,
      Map<String, Object> parameters) {
    var query =
        entityManager.createNativeQuery(
            "select t.* from ticket t where t.kind = :kind and "
                + condition.formatted("t")
                + " and t.id in (select distinct on (o.workload_namespace, o.workload_name)"
                + " o.id from ticket o join unnest(cast(:namespaces as text[]),"
                + " cast(:names as text[])) as w(namespace, name)"
                + " on o.workload_namespace = w.namespace and o.workload_name = w.name"
                + " where o.kind = :kind and "
                + condition.formatted("o")
                + " order by o.workload_namespace, o.workload_name, o."
                + newest
                + " desc) order by t.id for update",
            Ticket.class);
    query.setParameter("kind", TicketKind.SOFTWARE.name());
    query.setParameter(
        "namespaces",
        signals.stream().map(s -> s.labels().get("namespace")).toArray(String[]::new));
    query.setParameter(
        "names", signals.stream().map(s -> s.labels().get("deployment")).toArray(String[]::new));
    parameters.forEach(query::setParameter);
    @SuppressWarnings("unchecked")
    java.util.List<Ticket> found = query.getResultList();
    Map<String, Ticket> byWorkload = new HashMap<>();
    for (Ticket ticket : found) {
      byWorkload.put(workloadKey(ticket.workloadNamespace, ticket.workloadName), ticket);
    }
    return byWorkload;
  }

  /**
   * Whether a firing signal repeats one earlier in the batch (same fingerprint and start, or the
   * same fingerprint without a start), which the loop finds among the batch's new occurrences; if
   * not, it is remembered for the later ones.
   */
  private static boolean repeatsEarlier(
      AlertSignal signal, Map<String, java.util.List<AlertSignal>> earlier) {
    java.util.List<AlertSignal> same =
        earlier.computeIfAbsent(signal.fingerprint(), f -> new java.util.ArrayList<>());
    for (AlertSignal before : same) {
      if (signal.startsAt() == null
          || (before.startsAt() != null && sameStart(before.startsAt(), signal.startsAt()))) {
        return true;
      }
    }
    same.add(signal);
    return false;
  }

  /** The software ticket a new firing alert opens for its workload. */
  private static TicketService.NewTicket newTicket(AlertSignal signal, Instant now) {
    return new TicketService.NewTicket(
        TicketKind.SOFTWARE,
        title(signal),
        signal.annotations().get("description"),
        ticketSeverity(signal),
        new WorkloadRef(
            signal.labels().get("namespace"), "Deployment", signal.labels().get("deployment")),
        null,
        signal.startsAt() != null ? signal.startsAt() : now,
        signal.fingerprint());
  }

  private static String workloadKey(String namespace, String name) {
    return namespace + "/" + name;
  }

  private static AlertOccurrence newOccurrence(String source, AlertSignal signal, Instant now) {
    AlertOccurrence occurrence = new AlertOccurrence();
    occurrence.id = UUID.randomUUID();
    occurrence.source = source;
    occurrence.fingerprint = signal.fingerprint();
    occurrence.startsAt = signal.startsAt() != null ? signal.startsAt() : now;
    occurrence.alertName = signal.alertName();
    occurrence.severity = signal.severity();
    occurrence.labels = withoutNulls(signal.labels());
    occurrence.annotations = withoutNulls(signal.annotations());
    occurrence.workloadNamespace = signal.labels().get("namespace");
    occurrence.workloadName = signal.labels().get("deployment");
    if (occurrence.workloadNamespace == null || occurrence.workloadName == null) {
      occurrence.workloadNamespace = null;
      occurrence.workloadName = null;
    }
    occurrence.nodeName = signal.labels().getOrDefault("node", null);
    occurrence.firstSeenAt = now;
    occurrence.lastSeenAt = now;
    occurrence.deliveries = 1;
    return occurrence;
  }

  /**
   * The ticket an alert belongs to: its workload's (open, or opened or reopened by this batch
   * before the loop), or its node's open hardware ticket or a new one.
   */
  private Optional<Ticket> correlate(
      AlertOccurrence occurrence,
      AlertSignal signal,
      String actor,
      java.util.List<Outbox.Event> pending,
      Map<String, Ticket> open) {
    if (occurrence.workloadName != null) {
      // The workload's lock is held since lockInOneOrder, and its ticket is open since
      // openTickets or openMissing (read and locked, or opened by this batch).
      return Optional.ofNullable(
          open.get(workloadKey(occurrence.workloadNamespace, occurrence.workloadName)));
    }
    if (occurrence.nodeName != null) {
      Optional<Equipment> equipment =
          Equipment.find("nodeName", occurrence.nodeName).firstResultOptional();
      if (equipment.isEmpty()) {
        return Optional.empty();
      }
      // Two alerts for one node must not both decide to open its ticket.
      advisoryLock("equipment|" + equipment.get().id);
      Optional<Ticket> holder = EquipmentLocks.holder(equipment.get().id);
      if (holder.isPresent()) {
        return Optional.of(tickets.lock(holder.get().id));
      }
      writePending(pending);
      return Optional.of(
          tickets.open(
              new TicketService.NewTicket(
                  TicketKind.HARDWARE,
                  title(signal),
                  signal.annotations().get("description"),
                  ticketSeverity(signal),
                  null,
                  equipment.get().id,
                  occurrence.startsAt,
                  occurrence.fingerprint),
              actor,
              TicketSource.ALERT));
    }
    return Optional.empty();
  }

  private static Map<String, String> withoutNulls(Map<String, String> map) {
    Map<String, String> copy = new java.util.TreeMap<>();
    map.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            copy.put(k, v);
          }
        });
    return copy;
  }

  /** Writes the batch's alert events not yet in the outbox, in one JDBC batch. */
  private void writePending(java.util.List<Outbox.Event> pending) {
    if (!pending.isEmpty()) {
      outbox.write(java.util.List.copyOf(pending));
      pending.clear();
    }
  }

  /**
   * Takes every alert and workload lock the batch may need, up front and in one global order (of
   * the lock ids). Taken one by one in batch order, two groups naming the same workloads or alerts
   * in different orders each held what the other waited for: PostgreSQL broke the deadlock by
   * failing one, a 500 that Alertmanager retries (seen in the alert storm benchmark). Nothing takes
   * them one by one any more (only a node alert's equipment lock is still taken per alert). A
   * subquery with OFFSET 0 keeps its order for the outer scan, so the locks are taken in that
   * order.
   */
  private void lockInOneOrder(String source, java.util.List<AlertSignal> signals) {
    Set<String> keys = new TreeSet<>();
    for (AlertSignal signal : signals) {
      keys.add(source + "|" + signal.fingerprint());
      String namespace = signal.labels().get("namespace");
      String name = signal.labels().get("deployment");
      if (namespace != null && name != null) {
        keys.add("workload|" + namespace + "/" + name);
      }
    }
    if (keys.isEmpty()) {
      return;
    }
    entityManager
        .createNativeQuery(
            "select count(pg_advisory_xact_lock(h)) from (select distinct"
                + " hashtextextended(k, 0) as h from unnest(cast(?1 as text[])) as k"
                + " order by h offset 0) ordered")
        .setParameter(1, keys.toArray(String[]::new))
        .getSingleResult();
  }

  private void advisoryLock(String key) {
    entityManager
        .createNativeQuery("select pg_advisory_xact_lock(hashtextextended(?1, 0))")
        .setParameter(1, key)
        .getSingleResult();
  }

  private static String title(AlertSignal signal) {
    String summary =
        signal.summary() != null ? signal.summary() : signal.annotations().get("summary");
    String title = summary != null ? signal.alertName() + ": " + summary : signal.alertName();
    return title.length() <= 200 ? title : title.substring(0, 199) + "…";
  }

  /** An alert's severity as its ticket's: SEV3 when the alert names none PatchOps knows. */
  private static Severity ticketSeverity(AlertSignal signal) {
    Severity severity = severity(signal.severity());
    return severity == null ? Severity.SEV3 : severity;
  }

  static Severity severity(String value) {
    if (value == null) {
      return null;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "critical", "page", "sev1" -> Severity.SEV1;
      case "error", "high", "major", "sev2" -> Severity.SEV2;
      case "warning", "warn", "medium", "sev3" -> Severity.SEV3;
      case "info", "low", "minor", "sev4" -> Severity.SEV4;
      default -> null;
    };
  }

  private static WorkloadRef workload(AlertOccurrence occurrence) {
    return occurrence.workloadName == null
        ? null
        : new WorkloadRef(occurrence.workloadNamespace, "Deployment", occurrence.workloadName);
  }
}
