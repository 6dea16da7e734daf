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
    private final Optional<UploadGrants> uploads;

    /** @param uploads the grants for Gemini upload follow-ups; empty refuses those without a key */
    public Admission(KeyRing ring, FailedAuthThrottle throttle, Clock clock, LastUse lastUse,
                     Optional<UploadGrants> uploads) {
        this.ring = ring;
        this.throttle = throttle;
        this.clock = clock;
        this.lastUse = lastUse;
        this.uploads = uploads;
    }

    public Admission(KeyRing ring, FailedAuthThrottle throttle, Clock clock, LastUse lastUse) {
        this(ring, throttle, clock, lastUse, Optional.empty());
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
        KeySnapshot snapshot = ready(address);
        Optional<String> presented = ClientCredentials.extract(headers, params);
        if (presented.isEmpty()) {
            throw refuse(address, "missing API key: this gateway needs a gateway key (rk-...) where your SDK"
                    + " sends its API key (Authorization: Bearer, x-api-key, x-goog-api-key or ?key=)");
        }
        String key = presented.get();
        if (!KeySecret.wellFormed(key)) {
            throw refuse(address, "invalid API key: not a gateway key (rk-... with a valid checksum)");
        }
        Optional<KeySnapshot.Entry> found = snapshot.byHash(KeySecret.hash(key));
        if (found.isEmpty()) {
            throw refuse(address, "invalid API key");
        }
        return usable(found.get(), address);
    }

    /**
     * {@link #admit} for a passed-through request, which may instead carry an {@link UploadGrants upload
     * grant}: with no key, a grant is taken for the very upload it was issued for ({@code path}, the
     * provider and {@code upload_id} in the query), before it expires, while its key is still usable.
     */
    public Principal admitPassthrough(MultiMap headers, MultiMap params, String path, String address) {
        String token = params.get(UploadGrants.PARAM);
        if (token == null || uploads.isEmpty() || ClientCredentials.extract(headers, params).isPresent()) {
            return admit(headers, params, address);
        }
        KeySnapshot snapshot = ready(address);
        long now = clock.millis();
        Optional<UploadGrants.Grant> grant = uploads.get().open(token).filter(g -> g.expiresAtMillis() > now
                && g.path().equals(path) && g.provider().equals(params.get("rosetta_provider"))
                && g.uploadId().equals(params.get("upload_id")));
        if (grant.isEmpty()) {
            throw refuse(address, "invalid upload URL: its grant is altered, expired or for another upload;"
                    + " start the upload again");
        }
        String keyId = grant.get().keyId();
        Optional<KeySnapshot.Entry> entry = snapshot.keys().stream().filter(k -> k.id().equals(keyId)).findFirst()
                .flatMap(k -> snapshot.byHash(k.hash()));
        if (entry.isEmpty()) {
            throw refuse(address, "API key " + keyId + " that started this upload was revoked");
        }
        return usable(entry.get(), address);
    }

    /** The grants for upload URLs, when the gateway issues them. */
    public Optional<UploadGrants> uploads() {
        return uploads;
    }

    private KeySnapshot ready(String address) {
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
        return snapshot.get();
    }

    /** The entry's principal, unless its key is disabled, retired, expired or of a disabled tenant. */
    private Principal usable(KeySnapshot.Entry e, String address) {
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

    /**
     * The refusal of a passed-through request naming no model (files, batches...) to a principal whose
     * tenant or key has {@code passthrough} off.
     */
    public static GatewayError passthroughForbidden(Principal p) {
        return GatewayError.of(ErrorKind.PERMISSION, "API key " + p.keyId() + " may not use the provider's API"
                + " beyond its models (files, batches, uploads...): tenant \"" + p.tenant() + "\" or the key has"
                + " passthrough off").withCode("passthrough_not_allowed");
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
