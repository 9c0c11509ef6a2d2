-- Events Kafka refused on their own (larger than the broker takes, invalid for the topic). The relay
-- moves such a row here, in one statement, so that the events after it are not held up for ever;
-- an operator reads the reason, fixes the cause and may put the row back into outbox_event.
create table outbox_dead_letter (
    id           bigint      primary key,
    event_id     uuid        not null unique,
    source       text        not null,
    type         text        not null,
    subject      text,
    topic        text        not null,
    record_key   text        not null,
    ticket_id    text,
    actor        text,
    data_schema  text        not null,
    payload      text        not null,
    occurred_at  timestamptz not null,
    failed_at    timestamptz not null default now(),
    reason       text        not null
);
