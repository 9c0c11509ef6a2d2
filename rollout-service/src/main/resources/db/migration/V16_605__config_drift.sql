-- Issue 16, item 5: whether a revert puts back configuration someone else changed during the
-- rollout (the policy's configDrift: restore). Rows from before keep it, as the default does.
ALTER TABLE rollout ADD COLUMN restore_config_drift boolean NOT NULL DEFAULT false;
