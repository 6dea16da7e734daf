package dev.rosetta.config;

import java.time.Duration;

/**
 * Limits on fetching media by URL for providers that need it inline.
 *
 * @param maxBytes the largest body fetched
 * @param allowPrivate whether private, loopback and link-local addresses may be fetched
 */
public record MediaFetchConfig(long maxBytes, Duration timeout, boolean allowPrivate) {
    public static final MediaFetchConfig DEFAULT = new MediaFetchConfig(20L * 1024 * 1024, Duration.ofSeconds(10), false);
}
