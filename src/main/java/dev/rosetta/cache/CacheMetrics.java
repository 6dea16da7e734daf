package dev.rosetta.cache;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The response cache's store on {@code /metrics}: entries and bytes held, evictions and store failures
 * (a failure is served as a miss). Hits and misses are counted per request as the signals
 * {@code cache_hit} and {@code cache_miss}.
 */
public final class CacheMetrics {

    private CacheMetrics() {
    }

    /** Reads {@code store}'s counters at each scrape; the gateway holds the store for as long as it runs. */
    public static void bind(MeterRegistry registry, AnswerStore store) {
        Gauge.builder("rosetta.cache.entries", store, s -> s.stats().entries())
                .description("Answers held by the response cache").register(registry);
        Gauge.builder("rosetta.cache.size", store, s -> s.stats().bytes()).baseUnit("bytes")
                .description("Bytes held by the response cache").register(registry);
        FunctionCounter.builder("rosetta.cache.evictions", store, s -> s.stats().evictions())
                .description("Answers evicted from the response cache to stay within max_size").register(registry);
        FunctionCounter.builder("rosetta.cache.failures", store, s -> s.stats().failures())
                .description("Cache store calls that failed or timed out (served as misses)").register(registry);
    }
}
