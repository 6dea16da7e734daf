package dev.rosetta.cache;

import dev.rosetta.config.Units;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import io.vertx.core.MultiMap;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * What one request says about the cache: {@code Cache-Control: no-store} (neither read nor write),
 * {@code no-cache} (do not read; fetch and store: a refresh), {@code max-age=N} (accept an entry at
 * most N seconds old), and {@code x-rosetta-cache-ttl: 10m} (store this answer for at most that long).
 * Other {@code Cache-Control} directives are ignored, as HTTP caches do; a malformed
 * {@code x-rosetta-cache-ttl} or {@code max-age} is refused, naming the header.
 *
 * @param maxAgeSeconds -1 for no bound
 */
record Directives(boolean noStore, boolean noCache, long maxAgeSeconds, Optional<Duration> ttl) {

    static final String TTL_HEADER = "x-rosetta-cache-ttl";
    static final Directives NONE = new Directives(false, false, -1, Optional.empty());

    static Directives of(MultiMap headers) {
        String cc = headers.get("cache-control");
        String ttlHeader = headers.get(TTL_HEADER);
        if (cc == null && ttlHeader == null) {
            return NONE;
        }
        boolean noStore = false;
        boolean noCache = false;
        long maxAge = -1;
        if (cc != null) {
            for (String part : cc.split(",")) {
                String d = part.strip().toLowerCase(Locale.ROOT);
                if (d.equals("no-store")) {
                    noStore = true;
                } else if (d.equals("no-cache")) {
                    noCache = true;
                } else if (d.startsWith("max-age=")) {
                    try {
                        maxAge = Long.parseLong(d.substring(8).strip().replace("\"", ""));
                    } catch (NumberFormatException e) {
                        maxAge = -2;
                    }
                    if (maxAge < 0) {
                        throw invalid("cache-control", "max-age: expected a whole number of seconds");
                    }
                }
            }
        }
        Optional<Duration> ttl = Optional.empty();
        if (ttlHeader != null) {
            ttl = Units.parseDuration(ttlHeader.strip()).filter(t -> !t.isZero() && !t.isNegative());
            if (ttl.isEmpty()) {
                throw invalid(TTL_HEADER, "expected a duration such as 30s or 10m");
            }
        }
        return new Directives(noStore, noCache, maxAge, ttl);
    }

    private static RuntimeException invalid(String header, String what) {
        return new GatewayError(ErrorKind.INVALID_REQUEST, "header " + header + ": " + what,
                Optional.of(header), Optional.empty(), Optional.empty()).toException();
    }
}
