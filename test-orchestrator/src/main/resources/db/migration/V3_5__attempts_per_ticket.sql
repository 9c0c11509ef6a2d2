-- Attempts are numbered per ticket across revisions, so a run can be compared with the ticket's
-- previous attempt whatever its revision. Existing mirror runs are renumbered in the order they
-- were asked for; the per-revision constraint is dropped first so the renumbering cannot collide
-- with a row not yet renumbered. Burn-ins keep their own numbering (the ticket-service's).
ALTER TABLE test_run DROP CONSTRAINT test_run_attempt;
WITH numbered AS (
    SELECT run_id,
           row_number() OVER (PARTITION BY ticket_id ORDER BY revision, attempt, requested_at) AS n
      FROM test_run
     WHERE kind = 'MIRROR')
UPDATE test_run t SET attempt = numbered.n FROM numbered WHERE t.run_id = numbered.run_id;
ALTER TABLE test_run ADD CONSTRAINT test_run_attempt UNIQUE (ticket_id, revision, attempt, kind);
CREATE UNIQUE INDEX test_run_ticket_attempt ON test_run (ticket_id, attempt) WHERE kind = 'MIRROR';

-- The revision's author, told of the run's failures; null for a burn-in.
ALTER TABLE test_run ADD COLUMN author text;

-- The revisions the ticket-service proposed, learnt from ticket.patch-proposed: a direct test-run
-- request must name one, come from its author or an approver, and test what it proposed.
CREATE TABLE known_revision (
    ticket_id   text        NOT NULL,
    revision    integer     NOT NULL,
    author      text        NOT NULL,
    image       text        NOT NULL,
    targets     jsonb       NOT NULL,
    test_suites jsonb       NOT NULL,
    proposed_at timestamptz NOT NULL,
    PRIMARY KEY (ticket_id, revision)
);
