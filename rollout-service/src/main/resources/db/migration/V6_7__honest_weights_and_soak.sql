-- Honest weights: the stable Deployment's own replicas and how many may be added for a step, as
-- the checkpoint found them, so every step's canary share is computed the same way.
ALTER TABLE rollout ADD COLUMN base_replicas integer;
ALTER TABLE rollout ADD COLUMN max_extra_stable integer;
-- Soak time: when the current step's Pods were all ready; its pause is counted from here.
ALTER TABLE rollout ADD COLUMN step_ready_at timestamptz;
