package dev.patchops.ticket.tickets.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.patchops.contract.model.HardwareReleaseMode;
import dev.patchops.contract.model.Severity;
import dev.patchops.contract.model.TicketKind;
import dev.patchops.contract.model.TicketSource;
import dev.patchops.ticket.hooks.AlertOccurrence;
import dev.patchops.ticket.tickets.Ticket;
import dev.patchops.ticket.tickets.TicketService;
import dev.patchops.ticket.tickets.TicketState;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** The REST shapes of tickets, kept apart from the entity. */
public final class TicketApi {
  public static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  public static final String DNS_SUBDOMAIN = "[a-z0-9]([-a-z0-9.]*[a-z0-9])?";

  private TicketApi() {}

  public record Workload(
      @NotBlank @Size(max = 63) @Pattern(regexp = DNS_LABEL, message = "must be a DNS-1123 label")
          String namespace,
      @NotBlank
          @Pattern(
              regexp = "Deployment|StatefulSet|DaemonSet",
              message = "must be Deployment, StatefulSet or DaemonSet")
          String kind,
      @NotBlank
          @Size(max = 253)
          @Pattern(regexp = DNS_SUBDOMAIN, message = "must be a DNS-1123 subdomain")
          String name) {}

  public record OpenTicket(
      @NotNull TicketKind kind,
      @NotBlank @Size(max = 200) String title,
      @Size(max = 10_000) String description,
      @NotNull Severity severity,
      @Valid Workload workload,
      @Size(max = 100) String equipmentId,
      Instant detectedAt) {}

  public record CloseTicket(@Size(max = 2000) String note) {}

  public record ReopenTicket(@NotBlank @Size(max = 2000) String reason) {}

  public record TicketView(
      String id,
      TicketKind kind,
      String title,
      String description,
      Severity severity,
      String reporter,
      TicketSource source,
      TicketState state,
      Set<TicketState> allowedNext,
      Workload workload,
      String equipmentId,
      String assignee,
      String alertFingerprint,
      Instant openedAt,
      Instant detectedAt,
      Instant acknowledgedAt,
      Instant mitigatedAt,
      Instant resolvedAt,
      Instant closedAt,
      int iterations,
      Integer currentRevision,
      Instant nodeQuarantinedAt,
      Instant quarantineReleasedAt,
      HardwareReleaseMode quarantineReleaseMode,
      ManualReleaseView manualRelease,
      @JsonInclude(JsonInclude.Include.NON_NULL) List<AlertView> alerts) {

    /** The ticket without its alerts (left out of the JSON), e.g. right after opening it. */
    public static TicketView of(Ticket t) {
      return of(t, null);
    }

    /**
     * @param alerts the ticket's alert occurrences, oldest first
     */
    public static TicketView of(Ticket t, List<AlertOccurrence> alerts) {
      var w = TicketService.workload(t);
      return new TicketView(
          t.id,
          t.kind,
          t.title,
          t.description,
          t.severity,
          t.reporter,
          t.source,
          t.state,
          t.state.next(),
          w == null ? null : new Workload(w.namespace(), w.kind(), w.name()),
          t.equipmentId,
          t.assignee,
          t.alertFingerprint,
          t.openedAt,
          t.detectedAt,
          t.acknowledgedAt,
          t.mitigatedAt,
          t.resolvedAt,
          t.closedAt,
          t.iterations,
          t.currentRevision,
          t.nodeQuarantinedAt,
          t.quarantineReleasedAt,
          t.quarantineReleaseMode,
          t.manualReleaseRequestedAt == null
              ? null
              : new ManualReleaseView(
                  t.manualReleaseBy, t.manualReleaseReason, t.manualReleaseRequestedAt),
          alerts == null ? null : alerts.stream().map(AlertView::of).toList());
    }
  }

  /** Plan B of the hardware path, as the assignee asked for it. */
  public record ManualReleaseView(String requestedBy, String reason, Instant requestedAt) {}

  public enum AlertState {
    FIRING,
    RESOLVED
  }

  /** One occurrence of an alert of the ticket: a resolved one stays visible with its end. */
  public record AlertView(
      String source,
      String fingerprint,
      String alertName,
      String severity,
      AlertState state,
      Instant startsAt,
      Instant endedAt,
      Instant lastSeenAt,
      int deliveries) {
    static AlertView of(AlertOccurrence a) {
      return new AlertView(
          a.source,
          a.fingerprint,
          a.alertName,
          a.severity,
          a.endedAt == null ? AlertState.FIRING : AlertState.RESOLVED,
          a.startsAt,
          a.endedAt,
          a.lastSeenAt,
          a.deliveries);
    }
  }

  public record PageView<T>(List<T> items, int page, int size, long total) {}
}
