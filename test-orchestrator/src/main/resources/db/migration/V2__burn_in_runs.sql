-- Burn-in runs share the table, the state machine and the events of mirror tests. A burn-in has
-- no mirrored source and no patched image, only its node and its own request.
ALTER TABLE test_run ADD COLUMN kind text NOT NULL DEFAULT 'MIRROR';
ALTER TABLE test_run ADD COLUMN burn_in_node text;
ALTER TABLE test_run ADD COLUMN burn_in jsonb;
ALTER TABLE test_run ALTER COLUMN source_namespace DROP NOT NULL;
ALTER TABLE test_run ALTER COLUMN request DROP NOT NULL;

-- The ticket-service numbers burn-in attempts on their own, so they may reuse a mirror test's
-- (ticket, revision, attempt).
ALTER TABLE test_run DROP CONSTRAINT test_run_attempt;
ALTER TABLE test_run ADD CONSTRAINT test_run_attempt UNIQUE (ticket_id, revision, attempt, kind);

ALTER TABLE test_run ADD CONSTRAINT test_run_kind CHECK (
    (kind = 'MIRROR' AND request IS NOT NULL AND source_namespace IS NOT NULL)
    OR (kind = 'BURN_IN' AND burn_in IS NOT NULL AND burn_in_node IS NOT NULL));
