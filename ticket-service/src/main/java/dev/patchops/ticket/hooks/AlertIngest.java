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
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

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

  public record Result(
      int received, int duplicates, Set<String> tickets, int uncorrelated, int refused) {}

  @Transactional(Transactional.TxType.MANDATORY)
  public Result ingest(String source, java.util.List<AlertSignal> signals) {
    String actor = "hook:" + source;
    int duplicates = 0;
    int uncorrelated = 0;
    int refused = 0;
    Set<String> touched = new TreeSet<>();
    lockInOneOrder(source, signals);
    // The batch's alert events go to the outbox in one JDBC batch; they are written before any
    // ticket event, so each key's events keep the order in which they happened.
    java.util.List<Outbox.Event> pending = new java.util.ArrayList<>();
    for (AlertSignal signal : signals) {
      // Concurrent deliveries of one alert queue here instead of racing on the unique key.
      advisoryLock(source + "|" + signal.fingerprint());
      AlertOccurrence occurrence = find(source, signal);
      Instant now = Instant.now();
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
          String refusal = AlertTargets.refusal(signal.labels());
          if (refusal != null) {
            // Received and kept, so a redelivery is a duplicate; but it names nothing to act on.
            occurrence.workloadNamespace = null;
            occurrence.workloadName = null;
            occurrence.nodeName = null;
            refused++;
          }
          Ticket ticket =
              refusal != null ? null : correlate(occurrence, signal, actor, pending).orElse(null);
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

  private AlertOccurrence find(String source, AlertSignal signal) {
    if (signal.startsAt() != null) {
      return AlertOccurrence.find(
              "source = ?1 and fingerprint = ?2 and startsAt = ?3",
              source,
              signal.fingerprint(),
              signal.startsAt())
          .firstResult();
    }
    return AlertOccurrence.find(
            "source = ?1 and fingerprint = ?2 and endedAt is null order by startsAt desc",
            source,
            signal.fingerprint())
        .firstResult();
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
   * The ticket an alert belongs to: the open ticket of its workload (or node), a recently resolved
   * one that it reopens, or a new one.
   */
  private Optional<Ticket> correlate(
      AlertOccurrence occurrence,
      AlertSignal signal,
      String actor,
      java.util.List<Outbox.Event> pending) {
    if (occurrence.workloadName != null) {
      advisoryLock("workload|" + occurrence.workloadNamespace + "/" + occurrence.workloadName);
      Optional<Ticket> open =
          Ticket.find(
                  "kind = ?1 and workloadNamespace = ?2 and workloadName = ?3 and state not in (?4, ?5)"
                      + " order by openedAt desc",
                  TicketKind.SOFTWARE,
                  occurrence.workloadNamespace,
                  occurrence.workloadName,
                  TicketState.RESOLVED,
                  TicketState.CLOSED)
              .withLock(LockModeType.PESSIMISTIC_WRITE)
              .firstResultOptional();
      if (open.isPresent()) {
        return open;
      }
      Optional<Ticket> recent =
          Ticket.find(
                  "kind = ?1 and workloadNamespace = ?2 and workloadName = ?3 and state = ?4"
                      + " and resolvedAt > ?5 order by resolvedAt desc",
                  TicketKind.SOFTWARE,
                  occurrence.workloadNamespace,
                  occurrence.workloadName,
                  TicketState.RESOLVED,
                  Instant.now().minus(config.hooks().reopenWindow()))
              .withLock(LockModeType.PESSIMISTIC_WRITE)
              .firstResultOptional();
      if (recent.isPresent()) {
        Ticket ticket = recent.get();
        writePending(pending);
        tickets.reopen(
            ticket,
            "alert " + occurrence.alertName + " (" + occurrence.fingerprint + ") fired again",
            actor);
        return Optional.of(ticket);
      }
      writePending(pending);
      return Optional.of(
          tickets.open(
              new TicketService.NewTicket(
                  TicketKind.SOFTWARE,
                  title(signal),
                  signal.annotations().get("description"),
                  severity(signal.severity()) == null ? Severity.SEV3 : severity(signal.severity()),
                  new WorkloadRef(
                      occurrence.workloadNamespace, "Deployment", occurrence.workloadName),
                  null,
                  occurrence.startsAt,
                  occurrence.fingerprint),
              actor,
              TicketSource.ALERT));
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
                  severity(signal.severity()) == null ? Severity.SEV3 : severity(signal.severity()),
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
   * failing one, a 500 that Alertmanager retries (seen in the alert storm benchmark). The per-alert
   * locks below are then re-entrant no-ops. A subquery with OFFSET 0 keeps its order for the outer
   * scan, so the locks are taken in that order.
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
    if (keys.size() < 2) {
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
