-- Limits on tenants and keys: {"limits": {"rpm": .., "tpm": .., "tpd": .., "concurrent": ..},
-- "model_limits": {"gpt-5*": {...}}} as JSON text, NULL for none (the shape of the config and admin API).
ALTER TABLE rosetta_tenants ADD COLUMN limits TEXT;
ALTER TABLE rosetta_keys ADD COLUMN limits TEXT;
