package dev.rosetta.store;

import dev.rosetta.auth.DeclaredKeys;
import dev.rosetta.auth.KeyRing;
import dev.rosetta.config.AuthConfig;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * Everything {@code auth: keys} keeps at runtime: the store, its thread, the key ring the admit stage
 * reads and the sync that fills it (declared tenants and keys plus the stored ones).
 */
public final class KeyService implements AutoCloseable {

    /** How often the store's version is polled: a change reaches every replica within this plus one load. */
    public static final long POLL_MILLIS = 500;

    private final KeyStore store;
    private final StoreThread thread;
    private final KeyRing ring = new KeyRing();
    private final SnapshotSync sync;
    private final dev.rosetta.auth.LastUse lastUse = new dev.rosetta.auth.LastUse();

    private KeyService(KeyStore store, AuthConfig auth) {
        this.store = store;
        this.thread = new StoreThread(store);
        Instant loaded = Instant.now();
        this.sync = new SnapshotSync(thread, store, ring, DeclaredKeys.tenants(auth), DeclaredKeys.keys(auth, loaded),
                lastUse);
    }

    public static KeyService open(AuthConfig auth) {
        return new KeyService(new JdbcKeyStore(auth.store()), auth);
    }

    /** Migrates and loads in the background; completes after the first attempt (true: keys loaded). */
    public CompletableFuture<Boolean> start() {
        return sync.start(POLL_MILLIS);
    }

    public KeyRing ring() {
        return ring;
    }

    public SnapshotSync sync() {
        return sync;
    }

    public StoreThread thread() {
        return thread;
    }

    /** Key use times noted by the admit stage, written to the store in batches. */
    public dev.rosetta.auth.LastUse lastUse() {
        return lastUse;
    }

    /** Writes the last key use times, then stops the store thread. */
    @Override
    public void close() {
        try {
            thread.call(s -> {
                sync.flushLastUse();
                return null;
            }).get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // the store is away or slow: those use times are lost, nothing else is
        }
        thread.close();
    }
}
