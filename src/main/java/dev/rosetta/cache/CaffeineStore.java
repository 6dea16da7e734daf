package dev.rosetta.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers in this process: a Caffeine cache bounded by the bytes its entries hold (weighed once, when
 * stored), each entry expiring at its own time.
 *
 * <p>Implementation notes: the entry's expiry is the answer's {@code expiresAt} on the injected clock,
 * and Caffeine's ticker reads the same clock, so tests move time instead of sleeping. Maintenance
 * (eviction) runs on the calling thread: no executor hops on the event loop.
 */
public final class CaffeineStore implements AnswerStore {

    private static final Future<Optional<CachedAnswer>> MISS = Future.succeededFuture(Optional.empty());

    private final Cache<String, Held> cache;
    private final Clock clock;
    private final long maxEntryBytes;
    private final AtomicLong evictions = new AtomicLong();

    private record Held(CachedAnswer answer, int weight) {
    }

    public CaffeineStore(long maxBytes, long maxEntryBytes, Clock clock) {
        this.clock = clock;
        this.maxEntryBytes = maxEntryBytes;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((String k, Held h) -> h.weight())
                .expireAfter(new Expiry<String, Held>() {
                    @Override
                    public long expireAfterCreate(String key, Held h, long now) {
                        return remaining(h);
                    }

                    @Override
                    public long expireAfterUpdate(String key, Held h, long now, long current) {
                        return remaining(h);
                    }

                    @Override
                    public long expireAfterRead(String key, Held h, long now, long current) {
                        return current;
                    }
                })
                .ticker(() -> TimeUnit.MILLISECONDS.toNanos(clock.millis()))
                .executor(Runnable::run)
                .removalListener((String k, Held h, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE) {
                        evictions.incrementAndGet();
                    }
                })
                .build();
    }

    private long remaining(Held h) {
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, h.answer().expiresAt() - clock.millis()));
    }

    @Override
    public Future<Optional<CachedAnswer>> get(CacheKey key) {
        Held h = cache.getIfPresent(key.id());
        if (h == null || h.answer().expiresAt() <= clock.millis()) {
            return MISS;
        }
        return Future.succeededFuture(Optional.of(h.answer()));
    }

    @Override
    public Future<Void> put(CacheKey key, CachedAnswer answer) {
        int weight = AnswerCodec.weight(answer);
        if (weight <= maxEntryBytes) {
            cache.put(key.id(), new Held(answer, weight));
        }
        return Future.succeededFuture();
    }

    @Override
    public Future<Void> remove(CacheKey key) {
        cache.invalidate(key.id());
        return Future.succeededFuture();
    }

    @Override
    public Stats stats() {
        long bytes = cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
        return new Stats(cache.estimatedSize(), bytes, evictions.get(), 0);
    }
}
