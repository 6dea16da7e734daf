-- Anthropic's 1-hour cache writes, billed at their own rate: the part of cache_write_tokens written to a
-- cache kept an hour (so never more than cache_write_tokens; 0 for every other provider). Existing rows
-- and rollups had no such split: 0.
ALTER TABLE rosetta_ledger ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rosetta_usage_daily ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0;
