-- The rollout that carries a revision: feedback from any other rollout is stale and ignored.
alter table patch_revision add column rollout_id text;
