-- One row per occurrence of an alert: (source, fingerprint, starts_at). Redeliveries of the same
-- occurrence find their row and change nothing.
create table alert_occurrence (
    id                 uuid primary key,
    source             text        not null,
    fingerprint        text        not null,
    starts_at          timestamptz not null,
    alert_name         text        not null,
    severity           text,
    labels             jsonb       not null,
    annotations        jsonb       not null,
    workload_namespace text,
    workload_name      text,
    node_name          text,
    ticket_id          text references ticket (id),
    first_seen_at      timestamptz not null,
    last_seen_at       timestamptz not null,
    deliveries         integer     not null default 1,
    acknowledged_at    timestamptz,
    ended_at           timestamptz,
    unique (source, fingerprint, starts_at)
);
create index alert_occurrence_open on alert_occurrence (source, fingerprint) where ended_at is null;
create index alert_occurrence_ticket on alert_occurrence (ticket_id);
