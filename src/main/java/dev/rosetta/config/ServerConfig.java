package dev.rosetta.config;

import java.time.Duration;

/**
 * How the gateway's own HTTP server behaves.
 *
 * @param host the address to listen on
 * @param maxBodyBytes requests with larger bodies are refused with 413
 * @param shutdownGrace how long in-flight requests may run on after SIGTERM
 * @param accessLog whether to write one access-log line per request
 * @param strict whether a conversion that would drop any request field is refused (400) instead
 * @param mediaFetch limits on fetching media by URL for providers that need it inline
 * @param stream bounds on streamed answers
 */
public record ServerConfig(String host, int port, long maxBodyBytes, Duration shutdownGrace, boolean accessLog,
                           boolean strict, MediaFetchConfig mediaFetch, StreamConfig stream) {

    public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, maxBodyBytes, shutdownGrace, accessLog, strict, mediaFetch, stream);
    }
}
