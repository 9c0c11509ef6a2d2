-- The audit trail: one row per CloudEvent (or unparseable record), chained by SHA-256.
-- seq is assigned by the single writer holding the chain lock, so it has no gaps by construction;
-- a gap found later means a row was deleted.
CREATE TABLE audit_record (
    seq              bigint      PRIMARY KEY,
    stream           text        NOT NULL,
    source           text        NOT NULL,
    event_id         text        NOT NULL,
    type             text,
    spec_version     text,
    subject          text,
    ticket_id        text,
    actor            text,
    event_time       timestamptz,
    ingested_at      timestamptz NOT NULL,
    topic            text        NOT NULL,
    kafka_partition  integer     NOT NULL,
    kafka_offset     bigint      NOT NULL,
    headers          text        NOT NULL,
    payload          text,
    raw_payload      bytea,
    parse_error      text,
    prev_hash        char(64)    NOT NULL,
    hash             char(64)    NOT NULL,
    CONSTRAINT audit_record_identity UNIQUE (stream, source, event_id)
);

CREATE INDEX audit_record_ticket ON audit_record (ticket_id, seq) WHERE ticket_id IS NOT NULL;
CREATE INDEX audit_record_type ON audit_record (type, seq);
CREATE INDEX audit_record_actor ON audit_record (actor, seq) WHERE actor IS NOT NULL;
CREATE INDEX audit_record_time ON audit_record (event_time);

-- Signed heads. Published on patchops.audit as well, so a truncated table is still detectable.
CREATE TABLE audit_checkpoint (
    id          bigserial   PRIMARY KEY,
    seq         bigint      NOT NULL,
    head_hash   char(64)    NOT NULL,
    signed_at   timestamptz NOT NULL,
    key_id      char(64)    NOT NULL,
    algorithm   text        NOT NULL,
    signature   text        NOT NULL,
    public_key  text        NOT NULL
);
CREATE INDEX audit_checkpoint_seq ON audit_checkpoint (seq);

-- Append-only in the database: whoever holds UPDATE/DELETE/TRUNCATE (the owner, an operator) is
-- still stopped here. Bypassing it takes the table owner or a superuser disabling triggers (never
-- the service's role), which is what the chain and the published checkpoints exist to expose.
CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_record_no_truncate BEFORE TRUNCATE ON audit_record
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_append_only BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The service runs as a member of this role (see deploy/ and the Flyway placeholder appUser). It
-- may read and append to the trail, and use the outbox and inbox normally, nothing more.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'patchops_audit_writer') THEN
        CREATE ROLE patchops_audit_writer NOLOGIN;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO patchops_audit_writer;
-- Explicit grants only: a table added later gets no privilege until a migration says so.
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox_event, outbox_key_seq, inbox_event
    TO patchops_audit_writer;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO patchops_audit_writer;
GRANT SELECT ON flyway_schema_history TO patchops_audit_writer;
REVOKE ALL ON audit_record, audit_checkpoint FROM PUBLIC;
GRANT SELECT, INSERT ON audit_record, audit_checkpoint TO patchops_audit_writer;

DO $$
BEGIN
    IF '${appUser}' <> current_user THEN
        EXECUTE format('GRANT patchops_audit_writer TO %I', '${appUser}');
    END IF;
END
$$;
