package dev.rosetta.config;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The response cache ({@code cache:}). Off unless configured; a model, tenant or key may switch it on
 * or off for itself and set its own entry lifetime.
 *
 * @param enabled the default for every request
 * @param ttl how long an entry serves hits, unless an override or the request says shorter
 * @param maxSize bound on the in-process store, in bytes (entries weighed by their size)
 * @param maxEntrySize bound on one entry: a larger answer is served but not stored
 * @param scope whose requests may share an entry
 * @param coalesce identical non-streaming requests wait behind the first in flight instead of each calling
 * @param coalesceStreams the same for streaming requests: followers wait for the leader's end, then replay
 * @param redisPrefix put before every entry's key in Redis (when {@code redis:} is set)
 * @param models overrides by model name ({@code models[i].cache})
 * @param tenants overrides by tenant name ({@code cache.tenants})
 * @param keys overrides by key name ({@code cache.keys})
 */
public record CacheConfig(boolean enabled, Duration ttl, long maxSize, long maxEntrySize, Scope scope, boolean coalesce,
                          boolean coalesceStreams, String redisPrefix, Map<String, Override> models,
                          Map<String, Override> tenants, Map<String, Override> keys) {

    public static final Duration DEFAULT_TTL = Duration.ofHours(1);
    public static final long DEFAULT_MAX_SIZE = 256L * 1024 * 1024;
    public static final long DEFAULT_MAX_ENTRY_SIZE = 4L * 1024 * 1024;
    public static final String DEFAULT_PREFIX = "rosetta:cache:";
    public static final CacheConfig OFF = new CacheConfig(false, DEFAULT_TTL, DEFAULT_MAX_SIZE, DEFAULT_MAX_ENTRY_SIZE,
            Scope.TENANT, true, false, DEFAULT_PREFIX, Map.of(), Map.of(), Map.of());

    /** Whose requests may share an entry. */
    public enum Scope {
        /** Each tenant its own entries (anonymous requests share one scope). */
        TENANT,
        /** Every caller shares every entry. */
        GLOBAL
    }

    /** What a model, tenant or key says for itself; empty fields defer to the level above. */
    public record Override(Optional<Boolean> enabled, Optional<Duration> ttl) {
        public Override {
            Objects.requireNonNull(enabled, "enabled");
            Objects.requireNonNull(ttl, "ttl");
        }
    }

    public CacheConfig {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(redisPrefix, "redisPrefix");
        models = Map.copyOf(models);
        tenants = Map.copyOf(tenants);
        keys = Map.copyOf(keys);
    }

    /** Whether any request could be cached: the stage is in the chain only then. */
    public boolean anyEnabled() {
        return enabled || java.util.stream.Stream.of(models, tenants, keys)
                .flatMap(m -> m.values().stream()).anyMatch(o -> o.enabled().orElse(false));
    }
}
