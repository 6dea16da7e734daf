-- Budgets on tenants and keys: {"usd": 50, "period": "day|week|month|total", "timezone": "UTC",
-- "soft": false} as JSON text, NULL for none (the shape of the config and admin API).
ALTER TABLE rosetta_tenants ADD COLUMN budget TEXT;
ALTER TABLE rosetta_keys ADD COLUMN budget TEXT;
