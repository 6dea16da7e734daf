-- The response cache's mark on each ledger row: cache is '' (no cache on the path), 'hit', 'miss',
-- 'bypass' or 'refresh'; saved_cost_nanos is what a hit would have cost had the provider answered
-- (its cost_nanos is 0), in billionths of a US dollar like cost_nanos.
ALTER TABLE rosetta_ledger ADD COLUMN cache VARCHAR(8) NOT NULL DEFAULT '';
ALTER TABLE rosetta_ledger ADD COLUMN saved_cost_nanos BIGINT NOT NULL DEFAULT 0;
