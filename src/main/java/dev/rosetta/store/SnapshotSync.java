package dev.rosetta.store;

import dev.rosetta.auth.ApiKey;
import dev.rosetta.auth.KeyRing;
import dev.rosetta.auth.KeySnapshot;
import dev.rosetta.auth.Tenant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link KeyRing} in step with the store: every {@code pollMillis} (on the store thread) it
 * reads the store's version and, when it moved, loads everything and swaps in a new snapshot of the
 * declared plus the stored tenants and keys. A change made through any replica sharing the database is
 * so seen by every replica within {@code pollMillis} plus one load. Polling one row was chosen over
 * PostgreSQL {@code LISTEN/NOTIFY}: it works the same on SQLite, needs no connection held open in a
 * special mode, and survives reconnects without missing a notice.
 *
 * <p>Until the first load the ring is empty (requests get 503: their keys may be valid). If the store
 * becomes unreachable, the last snapshot keeps serving and the failure is logged once, with the
 * recovery; {@link #healthy()} says which it is.
 */
public final class SnapshotSync {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSync.class);

    private final StoreThread thread;
    private final KeyStore store;
    private final KeyRing ring;
    private final List<Tenant> declaredTenants;
    private final List<ApiKey> declaredKeys;
    private final CompletableFuture<Boolean> firstAttempt = new CompletableFuture<>();
    private final dev.rosetta.auth.LastUse lastUse;
    private long lastFlush;
    private boolean migrated;
    private long loadedVersion = -1;
    private volatile boolean healthy;
    private volatile String problem = "not loaded yet";

    /** Key use times are written every this often, in one batch. */
    static final long FLUSH_MILLIS = 10_000;

    public SnapshotSync(StoreThread thread, KeyStore store, KeyRing ring, List<Tenant> declaredTenants,
                        List<ApiKey> declaredKeys) {
        this(thread, store, ring, declaredTenants, declaredKeys, new dev.rosetta.auth.LastUse());
    }

    /** @param lastUse the key use times the admit stage notes, flushed to the store from here */
    public SnapshotSync(StoreThread thread, KeyStore store, KeyRing ring, List<Tenant> declaredTenants,
                        List<ApiKey> declaredKeys, dev.rosetta.auth.LastUse lastUse) {
        this.lastUse = lastUse;
        this.thread = thread;
        this.store = store;
        this.ring = ring;
        this.declaredTenants = List.copyOf(declaredTenants);
        this.declaredKeys = List.copyOf(declaredKeys);
    }

    /** Starts polling; the future completes after the first attempt, true if it loaded a snapshot. */
    public CompletableFuture<Boolean> start(long pollMillis) {
        thread.every(pollMillis, this::poll);
        return firstAttempt;
    }

    /** Reloads now if the store changed (after a change made through this replica). */
    public CompletableFuture<Void> refresh() {
        return thread.call(s -> {
            poll();
            return null;
        });
    }

    public boolean healthy() {
        return healthy;
    }

    /** Why the store is not healthy; empty when it is. */
    public String problem() {
        return healthy ? "" : problem;
    }

    private void poll() {
        try {
            if (!migrated) {
                store.migrate();
                migrated = true;
            }
            if (store.version() != loadedVersion) {
                KeyStore.Contents c = store.load();
                ring.swap(merge(c));
                loadedVersion = c.version();
            }
            long now = System.currentTimeMillis();
            if (now - lastFlush >= FLUSH_MILLIS) {
                lastFlush = now;
                flushLastUse();
            }
            if (!healthy) {
                LOG.info("key store available: {} tenant(s) and {} key(s) loaded", ring.current().map(k -> k.tenants().size())
                        .orElse(0), ring.current().map(k -> k.keys().size()).orElse(0));
            }
            healthy = true;
            firstAttempt.complete(true);
        } catch (RuntimeException e) {
            if (healthy || firstAttempt.complete(false)) {
                LOG.error("key store unavailable ({}): {}", ring.current().isPresent()
                        ? "serving the last snapshot of keys" : "no keys loaded: requests get 503", e.getMessage());
            }
            problem = e.getMessage();
            healthy = false;
        }
    }

    /** Writes the key use times noted since the last flush; on failure they are noted again for the next one. */
    void flushLastUse() {
        java.util.Map<String, Long> batch = lastUse.drain();
        try {
            store.touch(batch);
        } catch (RuntimeException e) {
            batch.forEach(lastUse::retry);
            throw e;
        }
    }

    /** Declared tenants and keys first; a stored one with a declared name or id is ignored (the file wins). */
    private KeySnapshot merge(KeyStore.Contents c) {
        List<Tenant> tenants = new ArrayList<>(declaredTenants);
        Set<String> names = new HashSet<>();
        declaredTenants.forEach(t -> names.add(t.name()));
        c.tenants().stream().filter(t -> names.add(t.name())).forEach(tenants::add);
        List<ApiKey> keys = new ArrayList<>(declaredKeys);
        Set<String> hashes = new HashSet<>();
        declaredKeys.forEach(k -> hashes.add(k.hash()));
        for (ApiKey k : c.keys()) {
            if (names.contains(k.tenant()) && hashes.add(k.hash())) {
                keys.add(k);
            } else {
                LOG.warn("stored key {} skipped: unknown tenant {} or a secret already in use", k.id(), k.tenant());
            }
        }
        return KeySnapshot.of(tenants, keys);
    }
}
