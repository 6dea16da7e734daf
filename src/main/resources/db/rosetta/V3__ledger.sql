-- The usage ledger: one row per request, idempotent by request id (a spooled batch replayed after a
-- partial write stores each record once). Times are epoch milliseconds UTC; cost in billionths of a
-- US dollar (an integer, so sums are exact); token kinds are disjoint (input excludes cached reads
-- and cache writes; output includes reasoning). Portable types only: SQLite and PostgreSQL.
CREATE TABLE rosetta_ledger (
    request_id          VARCHAR(64) PRIMARY KEY,
    at                  BIGINT NOT NULL,
    tenant              VARCHAR(64) NOT NULL,
    key_id              VARCHAR(64) NOT NULL,
    dialect             VARCHAR(32) NOT NULL,
    endpoint            VARCHAR(64) NOT NULL,
    model               VARCHAR(256) NOT NULL,
    provider            VARCHAR(64) NOT NULL,
    upstream_model      VARCHAR(256) NOT NULL,
    stream              BOOLEAN NOT NULL,
    status              INTEGER NOT NULL,
    error_class         VARCHAR(32) NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cache_read_tokens   BIGINT NOT NULL,
    cache_write_tokens  BIGINT NOT NULL,
    reasoning_tokens    BIGINT NOT NULL,
    cost_nanos          BIGINT NOT NULL,
    cost_known          BOOLEAN NOT NULL,
    latency_us          BIGINT NOT NULL,
    ttfb_us             BIGINT NOT NULL,
    cancelled           BOOLEAN NOT NULL,
    usage_estimated     BOOLEAN NOT NULL
);
CREATE INDEX rosetta_ledger_at ON rosetta_ledger (at);

-- Daily sums of the records pruned by ledger_retention, kept for good. day: days since 1970-01-01 UTC.
CREATE TABLE rosetta_usage_daily (
    day                 BIGINT NOT NULL,
    tenant              VARCHAR(64) NOT NULL,
    key_id              VARCHAR(64) NOT NULL,
    model               VARCHAR(256) NOT NULL,
    provider            VARCHAR(64) NOT NULL,
    requests            BIGINT NOT NULL,
    errors              BIGINT NOT NULL,
    input_tokens        BIGINT NOT NULL,
    output_tokens       BIGINT NOT NULL,
    cache_read_tokens   BIGINT NOT NULL,
    cache_write_tokens  BIGINT NOT NULL,
    reasoning_tokens    BIGINT NOT NULL,
    cost_nanos          BIGINT NOT NULL,
    unpriced            BIGINT NOT NULL,
    PRIMARY KEY (day, tenant, key_id, model, provider)
);
