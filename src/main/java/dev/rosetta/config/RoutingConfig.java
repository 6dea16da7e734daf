package dev.rosetta.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Model groups and the health of what serves them ({@code routing:} section, {@code targets} and
 * friends on {@code models[]} entries, {@code api_keys} on providers).
 *
 * @param groups by model entry name: the entries that are routed (several targets, a retry, timeouts, a hedge,
 *               fallbacks, or a provider with a key pool)
 * @param keyPools by provider name: the keys of providers configured with {@code api_keys}
 * @param keyCooldown how long a pooled key rests after a 429 that names no {@code retry-after}
 * @param watchConfig whether the configuration file is reloaded when it changes
 */
public record RoutingConfig(Map<String, ModelGroupConfig> groups, Map<String, List<Secret>> keyPools,
                            Breaker breaker, Duration keyCooldown, boolean watchConfig) {

    public static final RoutingConfig NONE = new RoutingConfig(Map.of(), Map.of(), Breaker.DEFAULT,
            Duration.ofSeconds(60), false);

    public RoutingConfig {
        groups = Map.copyOf(groups);
        keyPools = Map.copyOf(keyPools);
    }

    /**
     * A circuit breaker per target: open when at least {@code minCalls} of the last {@code window} calls
     * were made and {@code failureRate} percent of them failed; after {@code cooldown} one probe is let
     * through (half-open): its success closes the breaker, its failure opens it again.
     */
    public record Breaker(int window, int minCalls, float failureRate, Duration cooldown) {
        public static final Breaker DEFAULT = new Breaker(20, 5, 50f, Duration.ofSeconds(30));
    }
}
