package dev.rosetta.limits;

import java.util.Objects;

/**
 * One counter a limit is kept in: a rate ({@code limit} units per {@code periodMillis}, refilled
 * smoothly) or a gauge of requests in flight ({@code limit} at once, {@code periodMillis} unused).
 *
 * @param key identifies the counter, the same on every replica ({@code key:k_123:rpm}); the limiter
 *     may prefix it
 * @param unit what a charge to this bucket counts
 */
public record Bucket(String key, Unit unit, long limit, long periodMillis) {

    /** What a bucket counts. Tokens are estimated at admission and settled with the real usage. */
    public enum Unit { REQUESTS, TOKENS, CONCURRENT }

    public Bucket {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(unit, "unit");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (unit != Unit.CONCURRENT && periodMillis <= 0) {
            throw new IllegalArgumentException("period must be positive: " + periodMillis);
        }
    }

    public boolean rate() {
        return unit != Unit.CONCURRENT;
    }

    /** Milliseconds one unit takes to refill: a rate bucket's emission interval. */
    public double interval() {
        return (double) periodMillis / limit;
    }
}
