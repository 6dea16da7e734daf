package dev.rosetta.config;

import java.time.Duration;

/**
 * Bounds on streamed answers.
 *
 * @param firstByteTimeout how long to wait for the upstream's first event before answering 504
 * @param idleTimeout how long the upstream may stay silent between events before the stream fails
 * @param keepAlive after this much upstream silence the client gets its dialect's keep-alive
 */
public record StreamConfig(Duration firstByteTimeout, Duration idleTimeout, Duration keepAlive) {
    public static final StreamConfig DEFAULT = new StreamConfig(Duration.ofSeconds(300), Duration.ofSeconds(300),
            Duration.ofSeconds(15));
}
