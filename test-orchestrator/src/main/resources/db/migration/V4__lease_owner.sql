-- Which executor holds a run's lease. The lease is short and renewed while the run is worked on,
-- so a crashed executor's run is taken up within one lease; only the holder may renew it, so a
-- stalled executor that lost its run cannot extend a lease another replica has taken.
ALTER TABLE test_run ADD COLUMN lease_owner text;
