package dev.patchops.audit.trail;

import java.time.Instant;

/**
 * One stored, chained record of the audit trail, as read back from the database.
 *
 * @param stream {@code event} for a CloudEvent from a PatchOps topic, {@code
 *     dead-letter/<consumer>} for a copy parked by a consumer, {@code unkeyed} for a record without
 *     CloudEvents identity
 * @param payload the event data as RFC 8785 canonical JSON, or null when it could not be parsed
 * @param rawPayload the record value as received, kept only when it could not be parsed
 * @param parseError why the record is flagged, or null when it parsed cleanly
 */
public record TrailRecord(
    long seq,
    String stream,
    String source,
    String eventId,
    String type,
    String specVersion,
    String subject,
    String ticketId,
    String actor,
    Instant eventTime,
    Instant ingestedAt,
    String topic,
    int partition,
    long offset,
    String headers,
    String payload,
    byte[] rawPayload,
    String parseError,
    String prevHash,
    String hash) {

  public boolean flagged() {
    return parseError != null;
  }

  /** This record placed in the chain: numbered, timestamped and hashed onto its predecessor. */
  public TrailRecord chained(long seq, Instant ingestedAt, String prevHash) {
    TrailRecord unhashed = placed(seq, ingestedAt, prevHash, null);
    return placed(
        seq, ingestedAt, prevHash, ChainHash.hash(prevHash, ChainHash.canonical(unhashed)));
  }

  private TrailRecord placed(long seq, Instant ingestedAt, String prevHash, String hash) {
    return new TrailRecord(
        seq,
        stream,
        source,
        eventId,
        type,
        specVersion,
        subject,
        ticketId,
        actor,
        eventTime,
        ingestedAt,
        topic,
        partition,
        offset,
        headers,
        payload,
        rawPayload,
        parseError,
        prevHash,
        hash);
  }
}
