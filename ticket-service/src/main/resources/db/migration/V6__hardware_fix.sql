-- The hardware path: what the rollout-service reported about the node's quarantine, and the fixes
-- (the hardware "patch revisions"), each tested by a burn-in on the quarantined node.
alter table ticket
    add column node_quarantined_at    timestamptz,
    add column quarantine_taint       text,
    add column quarantine_released_at timestamptz;

create table hardware_fix (
    ticket_id       text        not null references ticket (id),
    revision        integer     not null,
    state           text        not null check (state in ('TESTING', 'FAILED', 'PASSED', 'RELEASED')),
    what_was_done   text        not null,
    why             text        not null,
    burn_in_suites  jsonb       not null,
    node_name       text        not null,
    author          text        not null,
    recorded_at     timestamptz not null,
    burn_in_run_id  text        not null unique,
    burn_in_attempt integer     not null default 1,
    burn_in_outcome text,
    burn_in_analytics jsonb,
    tested_at       timestamptz,
    released_at     timestamptz,
    primary key (ticket_id, revision)
);
