package dev.patchops.contract;

import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may publish what. Each event type has one producer ({@link EventType#producer()}); a record
 * of that type whose {@code ce_source} is anything else is refused by every consumer, so no service
 * (or anyone with write access to a topic) can act as another one, for instance approve a patch as
 * the ticket-service.
 *
 * <p>One type is also an intake: systems outside PatchOps (a monitoring bridge) may open a ticket
 * with {@code ticket.opened}, but only from a source the consuming service lists, and never under
 * the source of a PatchOps service other than the producer.
 */
public final class Provenance {
  /** How every refusal's reason starts, for whoever needs to tell it from other problems. */
  public static final String UNTRUSTED = "untrusted source";

  private static final Set<EventType> INTAKE = EnumSet.of(EventType.TICKET_OPENED);

  private static final Set<String> SERVICE_SOURCES =
      Arrays.stream(EventType.Producer.values())
          .map(EventType.Producer::source)
          .collect(Collectors.toUnmodifiableSet());

  private Provenance() {}

  /** True for the types that outside systems may publish from a listed source. */
  public static boolean isIntake(EventType type) {
    return INTAKE.contains(type);
  }

  /**
   * @param intakeSources the outside sources this consumer accepts for intake types
   * @return why a record of {@code type} from {@code source} must not be trusted, or empty
   */
  public static Optional<String> refusal(
      EventType type, String source, Collection<String> intakeSources) {
    String owner = type.producer().source();
    if (owner.equals(source)) {
      return Optional.empty();
    }
    if (isIntake(type)
        && source != null
        && !SERVICE_SOURCES.contains(source)
        && intakeSources.contains(source)) {
      return Optional.empty();
    }
    return Optional.of(
        UNTRUSTED
            + ": ce_source "
            + source
            + " is not the producer of "
            + type.type()
            + " (only "
            + owner
            + (isIntake(type) ? " or a listed intake source" : "")
            + " may publish it)");
  }
}
