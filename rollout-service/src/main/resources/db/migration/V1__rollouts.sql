-- One row per rollout of one workload. The row is the state machine: the engine reads it, acts on
-- the cluster idempotently, and moves it on together with the event that announces the move.
CREATE TABLE rollout (
    id                 text        PRIMARY KEY,
    ticket_id          text        NOT NULL,
    revision           integer     NOT NULL,
    namespace          text        NOT NULL,
    deployment         text        NOT NULL,
    containers         jsonb       NOT NULL,
    image              text        NOT NULL,
    http_route         text,
    steps              jsonb       NOT NULL,
    analysis           jsonb       NOT NULL,
    origin             text        NOT NULL,
    started_by         text        NOT NULL,
    phase              text        NOT NULL,
    step_index         integer     NOT NULL DEFAULT 0,
    step_started_at    timestamptz,
    paused             boolean     NOT NULL DEFAULT false,
    promote_full       boolean     NOT NULL DEFAULT false,
    promote_step       boolean     NOT NULL DEFAULT false,
    message            text,
    revert_trigger     text,
    revert_reason      text,
    revert_evidence    jsonb,
    detected_at        timestamptz,
    restore_issued_at  timestamptz,
    revert_attempts    integer     NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz,
    watch_until        timestamptz,
    cr_name            text,
    cr_generation      bigint      NOT NULL DEFAULT 0,
    cr_promote_seen    text,
    created_at         timestamptz NOT NULL,
    updated_at         timestamptz NOT NULL,
    finished_at        timestamptz,
    version            bigint      NOT NULL DEFAULT 0
);

-- One active rollout per workload, enforced where no race can slip past it.
CREATE UNIQUE INDEX rollout_one_active ON rollout (namespace, deployment)
    WHERE phase NOT IN ('SUCCEEDED', 'REVERTED', 'FAILED', 'REFUSED');
CREATE INDEX rollout_active ON rollout (phase) WHERE phase NOT IN ('SUCCEEDED', 'REVERTED', 'FAILED', 'REFUSED');
CREATE INDEX rollout_ticket ON rollout (ticket_id);

-- The known rollback point. Secret data is sealed (AES-GCM) and never stored in clear.
CREATE TABLE checkpoint (
    id                 text        PRIMARY KEY,
    rollout_id         text        NOT NULL UNIQUE REFERENCES rollout (id),
    deployment         jsonb       NOT NULL,
    spec_hash          text        NOT NULL,
    http_route         jsonb,
    config_maps        jsonb       NOT NULL,
    sealed_secrets     bytea,
    config_hashes      jsonb       NOT NULL,
    recorded_at        timestamptz NOT NULL
);

-- Webhook notifications, queued in the transaction of the change they announce.
CREATE TABLE notification (
    id                 bigserial   PRIMARY KEY,
    rollout_id         text        NOT NULL,
    kind               text        NOT NULL,
    body               jsonb       NOT NULL,
    attempts           integer     NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL,
    sent_at            timestamptz,
    created_at         timestamptz NOT NULL
);
CREATE INDEX notification_pending ON notification (next_attempt_at) WHERE sent_at IS NULL;

-- A quarantined node and the state it had before, which a release restores.
CREATE TABLE node_quarantine (
    ticket_id              text        PRIMARY KEY,
    equipment              jsonb       NOT NULL,
    node_name              text        NOT NULL,
    state                  text        NOT NULL,
    previous_unschedulable boolean,
    previous_taints        jsonb,
    burn_in_run            text,
    burn_in_passed         boolean,
    requested_at           timestamptz NOT NULL,
    quarantined_at         timestamptz,
    released_at            timestamptz,
    next_attempt_at        timestamptz,
    message                text
);
CREATE INDEX node_quarantine_pending ON node_quarantine (state);
