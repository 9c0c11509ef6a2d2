-- The witness's own store, in its own database with its own credentials: what it heard on
-- patchops.audit, and the alerts it raised. Nothing here is readable or writable by the
-- audit-service's roles.
CREATE TABLE witnessed_checkpoint (
    checkpoint_hash      char(64)    PRIMARY KEY,
    seq                  bigint      NOT NULL,
    head_hash            char(64)    NOT NULL,
    signed_at            timestamptz NOT NULL,
    key_id               text        NOT NULL,
    signature            text        NOT NULL,
    prev_checkpoint_hash char(64),
    received_at          timestamptz NOT NULL,
    kafka_partition      integer     NOT NULL,
    kafka_offset         bigint      NOT NULL,
    -- false when the witness refused it as a head (bad signature, broken link, rollback)
    accepted             boolean     NOT NULL,
    finding              text
);
CREATE INDEX witnessed_checkpoint_seq ON witnessed_checkpoint (seq) WHERE accepted;

CREATE TABLE witness_alert (
    id        bigserial   PRIMARY KEY,
    raised_at timestamptz NOT NULL,
    kind      text        NOT NULL,
    seq       bigint,
    detail    text        NOT NULL
);
