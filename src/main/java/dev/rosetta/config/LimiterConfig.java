package dev.rosetta.config;

import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.Limits;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where limit counters live and the limits that belong to no principal.
 *
 * @param redis {@code redis://...}: counters shared by every replica; empty: in this process
 * @param redisPrefix put before every counter's key, so that deployments sharing a Redis stay apart
 * @param timeout bound on one Redis call; past it {@code onFailure} decides
 * @param onFailure {@code limits_on_redis_failure}
 * @param outputTokens the output a request is assumed to produce when it sets no limit of its own, and
 *     the cap on the one it sets, when tokens are reserved at admission ({@code limits_output_tokens})
 * @param providers {@code limits:} on provider entries, by provider name: shared by everyone
 * @param models {@code limits:} on model entries, by model name: shared by everyone
 */
public record LimiterConfig(Optional<String> redis, String redisPrefix, Duration timeout, FailurePolicy onFailure, long outputTokens,
                            Map<String, Limits> providers, Map<String, Limits> models) {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(50);
    public static final long DEFAULT_OUTPUT_TOKENS = 4096;
    public static final String DEFAULT_PREFIX = "rosetta:limits:";
    public static final LimiterConfig NONE = new LimiterConfig(Optional.empty(), DEFAULT_PREFIX, DEFAULT_TIMEOUT, FailurePolicy.ALLOW,
            DEFAULT_OUTPUT_TOKENS, Map.of(), Map.of());

    public LimiterConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(redisPrefix, "redisPrefix");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(onFailure, "onFailure");
        providers = Map.copyOf(providers);
        models = Map.copyOf(models);
    }
}
