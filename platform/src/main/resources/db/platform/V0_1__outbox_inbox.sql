-- Shared by every service: the transactional outbox and the idempotent inbox.
-- Versions below 1 are reserved for this module; services number their own migrations from 1.

create table outbox_event (
    id           bigint generated always as identity primary key,
    event_id     uuid        not null unique,
    source       text        not null,
    type         text        not null,
    subject      text,
    topic        text        not null,
    record_key   text        not null,
    key_seq      bigint      not null,
    ticket_id    text,
    actor        text,
    data_schema  text        not null,
    payload      text        not null,
    occurred_at  timestamptz not null,
    sent_at      timestamptz,
    attempts     integer     not null default 0,
    unique (record_key, key_seq)
);

create index outbox_event_pending on outbox_event (id) where sent_at is null;
create index outbox_event_sent_at on outbox_event (sent_at) where sent_at is not null;

-- One row per record key. Writers take its row lock for the rest of their transaction, so two
-- transactions that publish for the same key commit in key_seq order and the relay, reading in id
-- order, can never publish a later event of a key before an earlier one.
create table outbox_key_seq (
    record_key text   primary key,
    seq        bigint not null
);

-- Wake the relay when a transaction that wrote events commits (NOTIFY is delivered on commit only).
create function outbox_event_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('patchops_outbox', '');
    return null;
end;
$$;

create trigger outbox_event_notify
    after insert on outbox_event
    for each statement execute function outbox_event_notify();

create table inbox_event (
    consumer     text        not null,
    event_source text        not null,
    event_id     text        not null,
    event_type   text        not null,
    topic        text        not null,
    kafka_partition integer  not null,
    kafka_offset bigint      not null,
    processed_at timestamptz not null default now(),
    primary key (consumer, event_source, event_id)
);
