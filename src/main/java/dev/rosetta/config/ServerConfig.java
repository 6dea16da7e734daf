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
 * @param requestReadTimeout how long a client may take to send a request's head (counted from the
 *     connection opening or the end of the previous response) and, separately, its body
 */
public record ServerConfig(String host, int port, long maxBodyBytes, Duration shutdownGrace, boolean accessLog,
                           boolean strict, MediaFetchConfig mediaFetch, StreamConfig stream,
                           Duration requestReadTimeout) {

    public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_REQUEST_READ_TIMEOUT = Duration.ofSeconds(60);

    public ServerConfig(String host, int port, long maxBodyBytes, Duration shutdownGrace, boolean accessLog,
                        boolean strict, MediaFetchConfig mediaFetch, StreamConfig stream) {
        this(host, port, maxBodyBytes, shutdownGrace, accessLog, strict, mediaFetch, stream,
                DEFAULT_REQUEST_READ_TIMEOUT);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, maxBodyBytes, shutdownGrace, accessLog, strict, mediaFetch, stream,
                requestReadTimeout);
    }
}
