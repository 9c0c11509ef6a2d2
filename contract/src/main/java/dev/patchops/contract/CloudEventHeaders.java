package dev.patchops.contract;

/** CloudEvents 1.0 Kafka protocol binding, binary content mode: attributes travel as headers. */
public final class CloudEventHeaders {
  public static final String SPEC_VERSION_VALUE = "1.0";
  public static final String CONTENT_TYPE_JSON = "application/json";

  public static final String ID = "ce_id";
  public static final String SOURCE = "ce_source";
  public static final String SPEC_VERSION = "ce_specversion";
  public static final String TYPE = "ce_type";
  public static final String SUBJECT = "ce_subject";
  public static final String TIME = "ce_time";
  public static final String DATA_SCHEMA = "ce_dataschema";

  /** {@code datacontenttype} maps to the plain {@code content-type} header in binary mode. */
  public static final String CONTENT_TYPE = "content-type";

  /** Extension attribute: who caused the event. Auditors need it without parsing every payload. */
  public static final String ACTOR = "ce_actor";

  /** Extension attribute: the ticket the event belongs to (also the record key). */
  public static final String TICKET_ID = "ce_ticketid";

  private CloudEventHeaders() {}
}
