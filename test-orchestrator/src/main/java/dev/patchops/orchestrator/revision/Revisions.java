package dev.patchops.orchestrator.revision;

import dev.patchops.contract.events.PatchProposed;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.util.List;
import java.util.Optional;

/** The orchestrator's own record of proposed revisions, from the ticket-service's events. */
@ApplicationScoped
public class Revisions {
  /** Records a proposal once; a redelivery changes nothing. */
  @Transactional(Transactional.TxType.MANDATORY)
  public void proposed(PatchProposed e) {
    if (KnownRevision.find(e.ticketId(), e.revision()) != null) {
      return;
    }
    KnownRevision r = new KnownRevision();
    r.id = new KnownRevision.Key(e.ticketId(), e.revision());
    r.author = e.author();
    r.image = e.image();
    r.targets = List.copyOf(e.targets());
    r.testSuites = List.copyOf(e.testSuites());
    r.proposedAt = e.proposedAt();
    r.persist();
  }

  @Transactional
  public Optional<KnownRevision> find(String ticketId, int revision) {
    return Optional.ofNullable(KnownRevision.find(ticketId, revision));
  }
}
