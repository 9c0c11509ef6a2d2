-- The PatchRollout's spec.paused as last acted on: a later edit of another field must not undo a
-- pause or resume given over REST.
ALTER TABLE rollout ADD COLUMN cr_paused_seen boolean;
