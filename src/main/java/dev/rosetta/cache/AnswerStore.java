package dev.rosetta.cache;

import io.vertx.core.Future;
import java.util.Optional;

/**
 * Where cached answers live: in this process ({@link CaffeineStore}) or shared by replicas
 * ({@link RedisStore}). One contract for both (the {@code AnswerStoreContract} test suite).
 *
 * <p>Called on event loops: no method blocks. A store that cannot answer (Redis down or slow) completes
 * {@link #get} with empty and {@link #put} quietly: a cache failure is a miss, never a failed request.
 * Futures never fail. Entries past their {@link CachedAnswer#expiresAt()} are never returned.
 */
public interface AnswerStore {

    Future<Optional<CachedAnswer>> get(CacheKey key);

    /** Stores {@code answer} under {@code key}, replacing any; skipped when larger than the store's entry cap. */
    Future<Void> put(CacheKey key, CachedAnswer answer);

    /** Drops the entry, if any. */
    Future<Void> remove(CacheKey key);

    /** Counters for metrics and tests. */
    Stats stats();

    default void close() {
    }

    /** @param bytes the bytes held (in-process) or last known stored (Redis) */
    record Stats(long entries, long bytes, long evictions, long failures) {
    }
}
