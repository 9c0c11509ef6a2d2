-- One row per attempt to test a patch revision. The run id comes from the request (the
-- ticket-service's event or the REST call), so a redelivered request finds its row.
CREATE TABLE test_run (
    run_id            text        PRIMARY KEY,
    ticket_id         text        NOT NULL,
    revision          integer     NOT NULL,
    attempt           integer     NOT NULL,
    state             text        NOT NULL,
    namespace         text        NOT NULL,
    source_namespace  text        NOT NULL,
    request           jsonb       NOT NULL,
    analytics         jsonb,
    outcome           text,
    ready_published   boolean     NOT NULL DEFAULT false,
    deleted_published boolean     NOT NULL DEFAULT false,
    requested_at      timestamptz NOT NULL,
    started_at        timestamptz,
    completed_at      timestamptz,
    lease_until       timestamptz,
    expires_at        timestamptz NOT NULL,
    CONSTRAINT test_run_attempt UNIQUE (ticket_id, revision, attempt)
);

CREATE INDEX test_run_runnable ON test_run (state, lease_until);
