package dev.rosetta.config;

import java.time.Duration;
import java.util.List;

/**
 * Cross-origin access for browser apps calling the client APIs directly.
 *
 * @param origins exact origins ({@code https://app.example.com}), or the one entry {@code *} for any origin
 *     (only without credentials)
 * @param maxAge how long a browser may cache a preflight answer
 * @param credentials whether a browser may send cookies or HTTP authentication along
 *     ({@code Access-Control-Allow-Credentials: true})
 */
public record CorsConfig(List<String> origins, Duration maxAge, boolean credentials) {

    public static final Duration DEFAULT_MAX_AGE = Duration.ofMinutes(10);

    public CorsConfig {
        origins = List.copyOf(origins);
    }

    public boolean anyOrigin() {
        return origins.contains("*");
    }
}
