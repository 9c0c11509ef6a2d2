-- The after-the-fact review of an emergency change.
alter table patch_revision
    add column reviewed_by     text,
    add column reviewed_at     timestamptz,
    add column review_accepted boolean,
    add column review_findings text;
