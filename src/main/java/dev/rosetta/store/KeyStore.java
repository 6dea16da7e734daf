package dev.rosetta.store;

import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.Tenant;
import java.util.List;
import java.util.Optional;

/**
 * Durable tenants, keys and audit trail: the SPI every store implements (SQLite, PostgreSQL) and one
 * contract test suite checks. Blocking: called only from the store's own thread
 * ({@link StoreThread}), never from an event loop. The request path never calls it either: it reads
 * the in-memory {@link dev.rosetta.auth.KeySnapshot} that {@link SnapshotSync} builds from {@link #load}.
 *
 * <p>Every change is one transaction that also writes its {@link AuditEvent} and increments the
 * store's {@link #version}, so a replica that sees the version move knows to reload.
 *
 * <p>Keys are stored without their secrets (only {@link ApiKey#hash()}). Tenants and keys declared in
 * the configuration file are not stored here.
 */
public interface KeyStore extends AutoCloseable {

    /** Everything at one version, read consistently. */
    record Contents(long version, List<Tenant> tenants, List<ApiKey> keys) {
        public Contents {
            tenants = List.copyOf(tenants);
            keys = List.copyOf(keys);
        }
    }

    /** Creates or upgrades the schema (idempotent); called before anything else. */
    void migrate();

    /** Increases with every change; cheap enough to poll every few hundred milliseconds. */
    long version();

    Contents load();

    Optional<Tenant> tenant(String name);

    /** @throws StoreException.Conflict if the name is taken */
    void createTenant(Tenant tenant, AuditEvent audit);

    /** @return false if there is no such tenant */
    boolean updateTenant(Tenant tenant, AuditEvent audit);

    /**
     * @return false if there is no such tenant
     * @throws StoreException.Conflict if keys still belong to it
     */
    boolean deleteTenant(String name, AuditEvent audit);

    Optional<ApiKey> key(String id);

    /** @throws StoreException.Conflict if the id or the secret's hash is taken */
    void createKey(ApiKey key, AuditEvent audit);

    /** Replaces everything but the id; @return false if there is no such key */
    boolean updateKey(ApiKey key, AuditEvent audit);

    /** @return false if there is no such key */
    boolean deleteKey(String id, AuditEvent audit);

    /**
     * Records when keys were last used (key id to epoch milliseconds), keeping the later time. Not a
     * change: no audit event, no version bump. Unknown ids (declared keys) are ignored.
     */
    void touch(java.util.Map<String, Long> lastUsed);

    /** When each stored key that has been used was last used: key id to epoch milliseconds. */
    java.util.Map<String, Long> lastUsed();

    /** The newest events first, at most {@code limit}. */
    List<AuditEvent> audit(int limit);

    @Override
    void close();
}
