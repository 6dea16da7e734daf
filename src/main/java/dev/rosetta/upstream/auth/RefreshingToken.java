package dev.rosetta.upstream.auth;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bearer token kept fresh: fetched once (requests wait for the first one only), then fetched again in
 * the background before it expires while requests go on with the current one. One fetch at a time
 * whatever the number of event loops asking. A token is used until shortly before its expiry (30 s,
 * or a quarter of its life if shorter), so that it does not expire in transit; the background refresh
 * starts at the later of half its life and five minutes before expiry. A failed background refresh leaves the current token in use and is tried again by the
 * next request; with no usable token the request fails with the fetch's error.
 */
public final class RefreshingToken implements PlatformAuth {

    private static final Logger LOG = LoggerFactory.getLogger(RefreshingToken.class);
    private static final Duration MAX_EARLY = Duration.ofMinutes(5);
    private static final Duration MAX_SKEW = Duration.ofSeconds(30);

    private final String what;
    private final TokenSource source;
    private final Executor executor;
    private final Clock clock;
    private volatile Held held;
    private CompletableFuture<Held> fetching; // guarded by this

    /** A token with the instants it is refreshed at and stops being used at. */
    private record Held(Token token, Instant refreshAt, Instant usableUntil) {
    }

    /**
     * @param what names the credential in errors and logs (never the token)
     * @param executor where fetches run: never an event loop
     */
    public RefreshingToken(String what, TokenSource source, Executor executor, Clock clock) {
        this.what = what;
        this.source = source;
        this.executor = executor;
        this.clock = clock;
    }

    @Override
    public Future<Void> apply(MultiMap headers, String method, String url, byte[] body) {
        return token().map(t -> {
            headers.set("authorization", "Bearer " + t);
            return null;
        });
    }

    /** The current token's value, fetching one first when there is none usable. */
    public Future<String> token() {
        Held h = held;
        Instant now = clock.instant();
        if (h != null && now.isBefore(h.usableUntil())) {
            if (!now.isBefore(h.refreshAt())) {
                fetch(); // in the background; this request goes on with the current token
            }
            return Future.succeededFuture(h.token().value());
        }
        CompletableFuture<Held> f = fetch();
        Context context = Vertx.currentContext();
        Future<Held> wait = context == null ? Future.fromCompletionStage(f) : Future.fromCompletionStage(f, context);
        return wait.map(x -> x.token().value()).recover(e -> Future.failedFuture(
                e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e));
    }

    private synchronized CompletableFuture<Held> fetch() {
        if (fetching != null) {
            return fetching;
        }
        CompletableFuture<Held> f = CompletableFuture.supplyAsync(() -> {
            try {
                Token t = source.fetch();
                Instant now = clock.instant();
                Duration life = Duration.between(now, t.expiresAt());
                if (life.isNegative()) {
                    life = Duration.ZERO;
                }
                Duration early = min(MAX_EARLY, life.dividedBy(2));
                Duration skew = min(MAX_SKEW, life.dividedBy(4));
                return new Held(t, t.expiresAt().minus(early), t.expiresAt().minus(skew));
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(new CredentialException(
                        "could not obtain " + what + ": " + describe(e), e));
            }
        }, executor);
        fetching = f;
        f.whenComplete((h, error) -> {
            synchronized (this) {
                fetching = null;
            }
            if (h != null) {
                held = h;
            } else {
                LOG.warn("{}", error.getCause() != null ? error.getCause().getMessage() : error.toString());
            }
        });
        return f;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : " (" + (m.length() > 200 ? m.substring(0, 200) : m) + ")");
    }

    /** A credential could not be obtained. */
    public static final class CredentialException extends RuntimeException {
        public CredentialException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
