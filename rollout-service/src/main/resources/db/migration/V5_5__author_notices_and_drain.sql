-- A test-failure notice goes to a revision's author before any rollout exists.
ALTER TABLE notification ALTER COLUMN rollout_id DROP NOT NULL;

-- A quarantined node is drained before its burn-in: the Pods evicted so far, and whether a
-- PodDisruptionBudget's refusal was already reported (once per drain, the retries are not news).
ALTER TABLE node_quarantine ADD COLUMN drain_evicted jsonb;
ALTER TABLE node_quarantine ADD COLUMN drain_blocked_reported boolean NOT NULL DEFAULT false;
-- How often someone undid the quarantine outside PatchOps, and when last.
ALTER TABLE node_quarantine ADD COLUMN breaches integer NOT NULL DEFAULT 0;
ALTER TABLE node_quarantine ADD COLUMN last_breach_at timestamptz;
