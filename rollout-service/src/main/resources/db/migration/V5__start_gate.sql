-- The start gate's own record of what the ticket-service approved, one row per approved workload,
-- from ticket.patch-approved events. A rollout by any path (event, REST, kubectl) starts only for a
-- (ticket, revision, image, workload) found here, so this service never has to ask the ticket-service.
CREATE TABLE approval (
    id                 text        PRIMARY KEY,
    ticket_id          text        NOT NULL,
    revision           integer     NOT NULL,
    image              text        NOT NULL,
    namespace          text        NOT NULL,
    kind               text        NOT NULL,
    name               text        NOT NULL,
    containers         jsonb       NOT NULL,
    approver           text        NOT NULL,
    author             text,
    emergency          boolean     NOT NULL,
    emergency_reason   text,
    event_id           text        NOT NULL,
    approved_at        timestamptz NOT NULL,
    recorded_at        timestamptz NOT NULL,
    UNIQUE (ticket_id, revision, image, namespace, kind, name)
);
CREATE INDEX approval_revision ON approval (ticket_id, revision);

-- Change freezes, from ticket.freeze-window-created/-deleted. A deletion that overtakes its creation
-- leaves a row with deleted_at set, so the late creation cannot bring the window back.
CREATE TABLE freeze_window (
    id                 text        PRIMARY KEY,
    starts_at          timestamptz,
    ends_at            timestamptz,
    reason             text,
    created_by         text,
    created_at         timestamptz,
    deleted_by         text,
    deleted_at         timestamptz
);

ALTER TABLE rollout ADD COLUMN emergency_reason text;
-- The origins are the contract's now (RolloutOrigin), as every rollout event carries them.
UPDATE rollout SET origin = 'APPROVAL' WHERE origin = 'EVENT';
UPDATE rollout SET origin = 'KUBECTL' WHERE origin = 'RESOURCE';
CREATE INDEX rollout_approved_tuple ON rollout (ticket_id, revision, namespace, deployment);
