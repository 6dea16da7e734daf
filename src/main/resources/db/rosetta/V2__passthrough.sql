-- Whether a tenant's keys may use the provider APIs passed through without naming a model (files,
-- batches...): off for a tenant unless given; a key can only narrow it, so on unless given.
ALTER TABLE rosetta_tenants ADD COLUMN passthrough BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE rosetta_keys ADD COLUMN passthrough BOOLEAN NOT NULL DEFAULT TRUE;
