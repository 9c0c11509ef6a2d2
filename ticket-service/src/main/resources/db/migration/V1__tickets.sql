-- Tickets and the process around them. Enumerations are stored by name and checked here too, so a
-- bad write fails in the database and not only in Java.

create sequence ticket_number_seq;

create table ticket (
    id                 text primary key,
    kind               text        not null check (kind in ('SOFTWARE', 'HARDWARE')),
    title              text        not null,
    description        text,
    severity           text        not null check (severity in ('SEV1', 'SEV2', 'SEV3', 'SEV4')),
    reporter           text        not null,
    source             text        not null,
    state              text        not null,
    workload_namespace text,
    workload_kind      text,
    workload_name      text,
    equipment_id       text,
    assignee           text,
    alert_fingerprint  text,
    opened_at          timestamptz not null,
    detected_at        timestamptz,
    acknowledged_at    timestamptz,
    mitigated_at       timestamptz,
    resolved_at        timestamptz,
    closed_at          timestamptz,
    iterations         integer     not null default 0,
    current_revision   integer,
    version            bigint      not null default 0,
    check ((kind = 'SOFTWARE' and workload_name is not null) or (kind = 'HARDWARE' and equipment_id is not null))
);
create index ticket_state on ticket (state);
create index ticket_workload on ticket (workload_namespace, workload_name);
create index ticket_opened_at on ticket (opened_at desc);

create table diagnostic (
    id          uuid primary key,
    ticket_id   text        not null references ticket (id),
    kind        text        not null,
    uri         text        not null,
    captured_at timestamptz not null,
    sha256      text,
    note        text,
    added_by    text        not null,
    added_at    timestamptz not null
);
create index diagnostic_ticket on diagnostic (ticket_id);

create table root_cause (
    ticket_id            text primary key references ticket (id),
    method               text        not null,
    whys                 jsonb       not null,
    root_cause           text        not null,
    contributing_factors jsonb       not null,
    affected_components  jsonb       not null,
    evidence_refs        jsonb       not null,
    recorded_by          text        not null,
    recorded_at          timestamptz not null
);

create table patch_revision (
    ticket_id        text        not null references ticket (id),
    revision         integer     not null,
    state            text        not null,
    repository_url   text        not null,
    commit_sha       text        not null,
    pull_request_url text,
    image            text        not null,
    targets          jsonb       not null,
    change_what      text        not null,
    change_why       text        not null,
    author           text        not null,
    test_suites      jsonb       not null,
    canary_steps     jsonb       not null,
    proposed_at      timestamptz not null,
    test_run_id      text        not null,
    test_attempt     integer     not null default 1,
    test_namespace   text,
    test_outcome     text,
    test_analytics   jsonb,
    tested_at        timestamptz,
    decided_by       text,
    decided_at       timestamptz,
    decision_reason  text,
    emergency        boolean     not null default false,
    review_required  boolean     not null default false,
    revert_reason    text,
    primary key (ticket_id, revision)
);

create table freeze_window (
    id         uuid primary key,
    starts_at  timestamptz not null,
    ends_at    timestamptz not null,
    reason     text        not null,
    created_by text        not null,
    created_at timestamptz not null,
    check (ends_at > starts_at)
);
create index freeze_window_range on freeze_window (starts_at, ends_at);
