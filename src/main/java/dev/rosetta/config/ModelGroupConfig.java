package dev.rosetta.config;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How one {@code models[]} entry is served when it names {@code targets} (or a retry, timeouts or a
 * key-pooled provider make routing worth it): the targets, the order they are tried in, and the bounds.
 *
 * @param targets in configuration order; at least one
 * @param contextWindowFallbacks models tried when a target says the prompt is too long for it
 * @param contentPolicyFallbacks models tried when a target refuses the content by its policy
 */
public record ModelGroupConfig(String model, List<Target> targets, Strategy strategy, Retry retry, Timeouts timeouts,
                               Optional<Hedge> hedge, List<String> contextWindowFallbacks,
                               List<String> contentPolicyFallbacks) {

    public ModelGroupConfig {
        targets = List.copyOf(targets);
        contextWindowFallbacks = List.copyOf(contextWindowFallbacks);
        contentPolicyFallbacks = List.copyOf(contentPolicyFallbacks);
    }

    /**
     * One place a model is served.
     *
     * @param upstreamModel empty to send the client's model name (a pattern entry) or the entry's name
     * @param weight for {@code weighted}: the share of first attempts (relative to the other targets)
     * @param cost for {@code lowest_cost} when the price table does not know the model: a relative cost
     */
    public record Target(String provider, Optional<String> upstreamModel, int weight, Optional<Double> cost) {
    }

    /** How the targets are ordered for one request; each falls back to the rest, in that order. */
    public enum Strategy {
        /** The configuration order: priority with fallback. */
        ORDERED,
        /** Weighted random first choice, the rest in weighted random order. */
        WEIGHTED,
        /** Fewest requests in flight first. */
        LEAST_BUSY,
        /** Lowest recent time to first token (a decaying average) first. */
        LOWEST_LATENCY,
        /** Cheapest by the price table (or the target's {@code cost}) first. */
        LOWEST_COST;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Strategy> fromWireName(String s) {
            for (Strategy v : values()) {
                if (v.wireName().equals(s)) {
                    return Optional.of(v);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * @param attempts attempts in all, across targets (the first included); each target once when not set
     * @param backoff the wait before an attempt that returns to a target already tried (doubling, jittered)
     * @param maxBackoff the longest wait; a {@code retry-after} longer than this skips the target instead
     */
    public record Retry(Optional<Integer> attempts, Duration backoff, Duration maxBackoff) {
        public static final Retry DEFAULT = new Retry(Optional.empty(), Duration.ofMillis(250), Duration.ofSeconds(5));
    }

    /**
     * Bounds of one attempt, overriding the provider's and the server's; empty ones keep theirs.
     *
     * @param firstToken streams: how long to wait for the first event
     * @param idle streams: the longest silence between events
     * @param total the whole request, every attempt and wait included
     */
    public record Timeouts(Optional<Duration> connect, Optional<Duration> firstToken, Optional<Duration> idle,
                           Optional<Duration> total) {
        public static final Timeouts NONE = new Timeouts(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty());
    }

    /** Streams: start the next target too when the first has sent no event after {@code after}. */
    public record Hedge(Duration after, int max) {
    }
}
