package dev.rosetta.auth;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each key was last used, noted by the admit stage and written to the store in batches
 * ({@link #drain}), never per request. A key's time is updated at most once a second, so the
 * common case is one map read.
 */
public final class LastUse {

    private static final long RESOLUTION_MILLIS = 1_000;

    private final ConcurrentHashMap<String, Long> pending = new ConcurrentHashMap<>();
    /** Every key's latest time seen here, drained or not: declared keys have no row to keep theirs. */
    private final ConcurrentHashMap<String, Long> latest = new ConcurrentHashMap<>();

    public void used(String keyId, long nowMillis) {
        Long seen = latest.get(keyId);
        if (seen == null || nowMillis - seen >= RESOLUTION_MILLIS) {
            latest.put(keyId, nowMillis);
            pending.put(keyId, nowMillis);
        }
    }

    /** Notes a drained time again, after the store failed to take it. */
    public void retry(String keyId, long millis) {
        pending.merge(keyId, millis, Math::max);
    }

    /** The times noted since the last drain, removed from here. */
    public Map<String, Long> drain() {
        Map<String, Long> out = new HashMap<>();
        for (String id : pending.keySet()) {
            Long t = pending.remove(id);
            if (t != null) {
                out.put(id, t);
            }
        }
        return out;
    }

    /** The latest time each key was used through this replica (read-only view). */
    public Map<String, Long> latest() {
        return java.util.Collections.unmodifiableMap(latest);
    }
}
