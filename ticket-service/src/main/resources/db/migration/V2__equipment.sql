create table equipment (
    id         text primary key,
    kind       text        not null check (kind in ('NODE', 'DISK', 'SWITCH', 'OTHER')),
    location   text,
    node_name  text,
    assignee   text        not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    version    bigint      not null default 0,
    check (kind <> 'NODE' or node_name is not null)
);

-- At most one open hardware ticket per piece of equipment: that ticket is the lock.
create unique index ticket_equipment_lock on ticket (equipment_id)
    where kind = 'HARDWARE' and state not in ('RESOLVED', 'CLOSED');
