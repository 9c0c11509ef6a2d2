-- What a revert had to write back, kept with the rollout: a restart in the middle of a revert
-- must still report everything that was restored.
ALTER TABLE rollout ADD COLUMN restored jsonb NOT NULL DEFAULT '[]';
