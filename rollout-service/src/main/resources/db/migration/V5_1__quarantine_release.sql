-- Who let a quarantined node go, how (an approved burn-in, or plan B by hand) and why.
ALTER TABLE node_quarantine ADD COLUMN release_mode text;
ALTER TABLE node_quarantine ADD COLUMN released_by text;
ALTER TABLE node_quarantine ADD COLUMN release_reason text;
