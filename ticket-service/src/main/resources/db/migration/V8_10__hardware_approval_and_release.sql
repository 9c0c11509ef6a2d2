-- Issue 15, the hardware path: a fix whose burn-in passed is approved by someone other than the
-- assignee before the node goes back; plan B is a manual release, with a reason, once per ticket.
alter table hardware_fix drop constraint hardware_fix_state_check;
alter table hardware_fix
    add constraint hardware_fix_state_check
        check (state in ('TESTING', 'FAILED', 'PASSED', 'APPROVED', 'RELEASED')),
    add column approved_by text,
    add column approved_at timestamptz;

alter table ticket
    add column manual_release_by           text,
    add column manual_release_reason       text,
    add column manual_release_requested_at timestamptz,
    add column quarantine_release_mode     text;
