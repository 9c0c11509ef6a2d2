-- The PatchRolloutPolicy a rollout runs with (null: none matched, the service's defaults), the
-- version of it, why it was chosen, and what it decides beyond steps and analysis.
ALTER TABLE rollout ADD COLUMN policy_name text;
ALTER TABLE rollout ADD COLUMN policy_generation bigint;
ALTER TABLE rollout ADD COLUMN policy_reason text;
ALTER TABLE rollout ADD COLUMN watch_window_seconds bigint;
ALTER TABLE rollout ADD COLUMN revert_severities jsonb;
