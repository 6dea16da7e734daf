package dev.rosetta.auth;

import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import io.vertx.core.MultiMap;
import java.time.Clock;
import java.util.Optional;

/**
 * The admit stage, present only with {@code auth: keys}: the credentials a request carries (wherever
 * its SDK put them, see {@link ClientCredentials}) become a {@link Principal}, or the request is
 * refused with a {@link GatewayError} the client's dialect renders: 401 for a missing, malformed,
 * unknown, expired or disabled key, 429 while its address is throttled after failures, 503 before
 * any key snapshot has been loaded. Never writes bytes, never blocks.
 *
 * <p>A malformed key (wrong shape or checksum) is refused without a lookup. A well-formed one is
 * hashed and looked up in the current {@link KeySnapshot} (see {@link KeySecret} for why a map
 * lookup by SHA-256 is a constant-time comparison in effect). Messages never contain the key.
 *
 * <p>Thread-safe: called from every event loop.
 */
public final class Admission {

    private final KeyRing ring;
    private final FailedAuthThrottle throttle;
    private final Clock clock;
    private final LastUse lastUse;

    public Admission(KeyRing ring, FailedAuthThrottle throttle, Clock clock, LastUse lastUse) {
        this.ring = ring;
        this.throttle = throttle;
        this.clock = clock;
        this.lastUse = lastUse;
    }

    public Admission(KeyRing ring, FailedAuthThrottle throttle, Clock clock) {
        this(ring, throttle, clock, new LastUse());
    }

    /**
     * @param address the client's IP address, for throttling failures
     * @return the principal the credentials establish
     * @throws dev.rosetta.error.GatewayException carrying the refusal
     */
    public Principal admit(MultiMap headers, MultiMap params, String address) {
        long wait = throttle.waitMillis(address);
        if (wait > 0) {
            long seconds = Math.max(1, (wait + 999) / 1000);
            throw GatewayError.of(ErrorKind.RATE_LIMITED, "too many failed authentications from this address;"
                    + " try again in " + seconds + "s").withRetryAfter(seconds).toException();
        }
        Optional<KeySnapshot> snapshot = ring.current();
        if (snapshot.isEmpty()) {
            throw GatewayError.of(ErrorKind.UNAVAILABLE, "the gateway has not loaded its keys yet; try again shortly")
                    .withRetryAfter(1).toException();
        }
        Optional<String> presented = ClientCredentials.extract(headers, params);
        if (presented.isEmpty()) {
            throw refuse(address, "missing API key: this gateway needs a gateway key (rk-...) where your SDK"
                    + " sends its API key (Authorization: Bearer, x-api-key, x-goog-api-key or ?key=)");
        }
        String key = presented.get();
        if (!KeySecret.wellFormed(key)) {
            throw refuse(address, "invalid API key: not a gateway key (rk-... with a valid checksum)");
        }
        Optional<KeySnapshot.Entry> found = snapshot.get().byHash(KeySecret.hash(key));
        if (found.isEmpty()) {
            throw refuse(address, "invalid API key");
        }
        KeySnapshot.Entry e = found.get();
        if (e.key().disabled()) {
            throw refuse(address, "API key " + e.key().id() + " is disabled");
        }
        if (e.tenant().disabled()) {
            throw refuse(address, "API key " + e.key().id() + " belongs to a disabled tenant");
        }
        if (e.retiredAt().isPresent() && e.retiredAt().get().toEpochMilli() <= clock.millis()) {
            throw refuse(address, "API key " + e.key().id() + " was rotated; this secret stopped working at "
                    + e.retiredAt().get());
        }
        long now = clock.millis();
        if (e.key().expiredAt(now)) {
            throw refuse(address, "API key " + e.key().id() + " expired at " + e.key().expiresAt().orElseThrow());
        }
        lastUse.used(e.key().id(), now);
        return e.principal();
    }

    /** The failure throttle, shared with the admin API so that guessing either key is slowed alike. */
    public FailedAuthThrottle throttle() {
        return throttle;
    }

    /** The refusal of a model this principal may not use, for the resolve step. */
    public static GatewayError forbidden(Principal p, String model) {
        return GatewayError.of(ErrorKind.PERMISSION, "API key " + p.keyId() + " may not use model \"" + model + "\"")
                .withCode("model_not_allowed");
    }

    private RuntimeException refuse(String address, String message) {
        throttle.failed(address);
        return GatewayError.of(ErrorKind.UNAUTHENTICATED, message).withCode("invalid_api_key").toException();
    }
}
