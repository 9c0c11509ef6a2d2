-- Checkpoints link the previous one (SHA-256 of its signed JSON), so a re-signed checkpoint breaks
-- every later link. Null only on checkpoints signed before this migration.
ALTER TABLE audit_checkpoint ADD COLUMN prev_checkpoint_hash char(64);

-- Key ids are names from the published key set now (a key's fingerprint is one such name), not
-- always 64 hex characters; char(64) would pad a shorter kid with blanks.
ALTER TABLE audit_checkpoint ALTER COLUMN key_id TYPE text;
