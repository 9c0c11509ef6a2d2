-- Issue 18: PagerDuty signs a body but sends no time, so a captured trigger stays valid for ever.
-- Every delivery's body hash is kept for ticket.hooks.replay-window: the same body again is a
-- duplicate (PagerDuty's own retries are too), never a new occurrence.
create table hook_delivery (
    source        text        not null,
    body_sha256   text        not null,
    first_seen_at timestamptz not null,
    deliveries    integer     not null default 1,
    primary key (source, body_sha256)
);
create index hook_delivery_first_seen on hook_delivery (first_seen_at);
