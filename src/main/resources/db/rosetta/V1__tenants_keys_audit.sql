-- One schema for SQLite and PostgreSQL: portable types only. Times are epoch milliseconds (UTC),
-- model lists and metadata JSON text. No foreign key from keys to tenants: a stored key may belong
-- to a tenant declared in the configuration file; the store checks that in code.
CREATE TABLE rosetta_tenants (
    name        VARCHAR(64) PRIMARY KEY,
    models      TEXT,
    metadata    TEXT NOT NULL,
    disabled    BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE rosetta_keys (
    id                  VARCHAR(64) PRIMARY KEY,
    name                VARCHAR(64) NOT NULL,
    tenant              VARCHAR(64) NOT NULL,
    prefix              VARCHAR(16) NOT NULL,
    hash                CHAR(64) NOT NULL UNIQUE,
    models              TEXT,
    expires_at          BIGINT,
    disabled            BOOLEAN NOT NULL,
    metadata            TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    last_used_at        BIGINT,
    previous_hash       CHAR(64),
    previous_until      BIGINT
);
CREATE INDEX rosetta_keys_tenant ON rosetta_keys (tenant);

CREATE TABLE rosetta_audit (
    id          VARCHAR(40) PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor       VARCHAR(128) NOT NULL,
    action      VARCHAR(32) NOT NULL,
    entity_type VARCHAR(16) NOT NULL,
    entity_id   VARCHAR(128) NOT NULL,
    detail      TEXT NOT NULL
);
CREATE INDEX rosetta_audit_at ON rosetta_audit (at);

-- Bumped in the same transaction as every change: replicas poll it to know when to reload.
CREATE TABLE rosetta_version (
    id       INT PRIMARY KEY,
    version  BIGINT NOT NULL
);
INSERT INTO rosetta_version (id, version) VALUES (1, 0);
