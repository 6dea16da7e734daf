package dev.rosetta.metrics;

/**
 * Something a stage saw happen to one request, for metrics to count when the request completes: set
 * with {@link dev.rosetta.pipeline.Exchange#signal}, counted once per occurrence in
 * {@code rosetta_signals_total{signal="..."}} (labelled like {@code rosetta_requests_total}) by
 * {@link GatewayMetrics}. A stage that only signals needs no metrics reference and costs nothing when
 * metrics are off.
 *
 * <p>To add a series: add a constant here (its wire name is the label value), call
 * {@code ex.signal(Signal.X)} where it happens, and name it in docs/observability.md.
 */
public enum Signal {
    /** Refused by a rate limit (the limits stage). */
    RATE_LIMITED("rate_limited"),
    /** Refused because a budget is spent. */
    BUDGET_EXHAUSTED("budget_exhausted"),
    /** Answered from the cache. */
    CACHE_HIT("cache_hit"),
    /** Looked up in the cache and not found. */
    CACHE_MISS("cache_miss"),
    /** One more upstream attempt at the same target after a failure. */
    RETRY("retry"),
    /** One more upstream attempt at another target after a failure. */
    FAILOVER("failover"),
    /** A target skipped because its circuit breaker is open. */
    BREAKER_OPEN("breaker_open");

    private final String wireName;

    Signal(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
