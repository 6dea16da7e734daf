package dev.rosetta.limits;

import dev.rosetta.auth.Principal;
import dev.rosetta.config.LimiterConfig;
import dev.rosetta.dialect.Endpoint;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.error.GatewayException;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Replies;
import dev.rosetta.route.Route;
import dev.rosetta.usage.TokenEstimate;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The police stage: after the request is admitted and its model resolved, before any upstream call,
 * it reserves what the request will take from every limit that applies to it (the key's and its
 * tenant's, their {@code model_limits} for this model, the model's and the provider's) in one
 * all-or-nothing {@link Limiter#reserve}. Granted, the request goes on with the remaining quota in the
 * dialect's rate-limit headers, and a completion hook settles the reservation with the real usage and
 * releases its concurrency slots, however the request ends (answered, failed, cancelled, a stream cut
 * by the client). Refused, the request ends with 429 in the client's dialect and {@code retry-after};
 * a request larger than a whole bucket ends with 413 at once, since no wait would help.
 *
 * <p>Tokens are known only afterwards, so admission reserves an estimate: the request body's size in
 * tokens ({@link TokenEstimate#ofBodyBytes}) plus the output limit it sets, capped at (or, when it sets
 * none, equal to) {@code limits_output_tokens}. Settlement corrects the bucket up or down.
 *
 * <p>Present in the pipeline only when some limit is configured or keys are on (see {@link #needed}). Called on the request's event loop;
 * never blocks (the Redis limiter answers through a future, bounded by its timeout).
 */
public final class Police {

    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    private final Limiter limiter;
    private final Clock clock;
    private final Replies replies;
    private final long outputTokens;
    private final Map<String, Bucket[]> providers = new ConcurrentHashMap<>();
    private final Map<String, Bucket[]> models = new ConcurrentHashMap<>();
    /** Buckets of keys' and tenants' limits, by owner and limits: a changed limit makes new buckets. */
    private final Map<Owner, Bucket[]> principals = new ConcurrentHashMap<>();

    private record Owner(String scope, Limits limits) {
    }

    public Police(Limiter limiter, LimiterConfig config, Clock clock, Replies replies) {
        this.limiter = limiter;
        this.clock = clock;
        this.replies = replies;
        this.outputTokens = config.outputTokens();
        config.providers().forEach((name, l) -> providers.put(name, buckets("provider:" + name, l)));
        config.models().forEach((name, l) -> models.put(name, buckets("model:" + name, l)));
    }

    /**
     * Whether the stage must be in the chain: {@code config} sets a limit, or keys are on ({@code auth:
     * keys}), whose limits the admin API may set at runtime. A request with nothing to limit then costs
     * a few field reads.
     */
    public static boolean needed(dev.rosetta.config.GatewayConfig config) {
        return config.auth().mode() == dev.rosetta.config.AuthConfig.Mode.KEYS
                || !config.limiter().providers().isEmpty() || !config.limiter().models().isEmpty()
                || config.auth().tenants().stream().anyMatch(t -> !t.limits().none())
                || config.auth().keys().stream().anyMatch(k -> !k.limits().none());
    }

    /**
     * Reserves for {@code ex} and runs {@code next} if granted; otherwise answers the refusal. A
     * refusal or failure in {@code next} after an asynchronous decision is answered here too.
     */
    public void admit(Exchange ex, Route route, byte[] body, Runnable next) {
        if (ex.endpoint().operation() == Endpoint.Operation.COUNT_TOKENS) {
            next.run(); // free at every provider, and limited there apart from generation
            return;
        }
        Principal p = ex.principal();
        if (p.keyLimits().none() && p.tenantLimits().none() && models.isEmpty() && providers.isEmpty()) {
            next.run();
            return;
        }
        List<Charge> charges = charges(p, ex.model(), route.provider().name(), body);
        if (charges.isEmpty()) {
            next.run();
            return;
        }
        long now = clock.millis();
        Future<Decision> decision = limiter.reserve(charges, ex.requestId(), now);
        if (decision.isComplete()) {
            decided(ex, decision.result(), now, next);
            return;
        }
        decision.onComplete(ar -> {
            try {
                decided(ex, ar.succeeded() ? ar.result() : new Decision.Unavailable(String.valueOf(ar.cause())),
                        now, next);
            } catch (GatewayException e) {
                replies.error(ex, e.error());
            }
        });
    }

    private void decided(Exchange ex, Decision decision, long now, Runnable next) {
        switch (decision) {
            case Decision.Granted g -> {
                if (g.reservation() != Reservation.NONE) {
                    Reservation r = g.reservation();
                    ex.whenComplete(done -> limiter.settle(r, actualTokens(done, r), clock.millis()));
                }
                RateHeaders.write(ex.response().headers(), ex.dialect(), g.quotas(), now);
                next.run();
            }
            case Decision.Refused r -> {
                RateHeaders.write(ex.response().headers(), ex.dialect(), r.quotas(), now);
                throw refusal(ex, r).toException();
            }
            case Decision.Unavailable u -> throw GatewayError.of(ErrorKind.UNAVAILABLE,
                    "rate limits cannot be checked right now (" + u.reason() + "); try again shortly")
                    .withRetryAfter(1).toException();
        }
    }

    private static GatewayError refusal(Exchange ex, Decision.Refused r) {
        Bucket b = r.refused().bucket();
        String what = describe(b);
        if (r.neverFits()) {
            return GatewayError.of(ErrorKind.PAYLOAD_TOO_LARGE, "this request needs an estimated "
                    + r.refused().cost() + " tokens (input and max output), more than the whole " + what + " of "
                    + b.limit() + ": it can never be admitted; lower its max output tokens or split it")
                    .withCode("request_too_large");
        }
        long seconds = Math.max(1, (r.retryAfterMillis() + 999) / 1000);
        RateHeaders.retryAfter(ex.response().headers(), ex.dialect(), r.retryAfterMillis());
        return GatewayError.of(ErrorKind.RATE_LIMITED, "rate limit reached: " + what + " of " + b.limit()
                + "; try again in " + seconds + "s").withCode("rate_limit_exceeded").withRetryAfter(seconds);
    }

    /** {@code provider:openai:rpm:500} → {@code rpm limit of provider openai}. */
    private static String describe(Bucket b) {
        String k = b.key();
        int limit = k.lastIndexOf(':');
        int kind = k.lastIndexOf(':', limit - 1);
        return k.substring(kind + 1, limit) + " limit of " + k.substring(0, kind).replaceFirst(":", " ")
                .replace(":model:", ", for models ");
    }

    /**
     * What settles the tokens: the reported usage; nothing when the request ended in an error before
     * the provider produced anything; the estimate when the client went away without usage (the
     * provider may well have billed it).
     */
    private static long actualTokens(Exchange ex, Reservation r) {
        long total = ex.usage().total();
        if (total > 0) {
            return total;
        }
        return ex.status() == 499 ? r.reservedTokens() : 0;
    }

    List<Charge> charges(Principal p, String model, String provider, byte[] body) {
        List<Charge> out = new ArrayList<>(8);
        long[] tokens = {-1};
        if (!p.anonymous()) {
            add(out, "key:" + p.keyId(), p.keyLimits(), model, body, tokens);
            add(out, "tenant:" + p.tenant(), p.tenantLimits(), model, body, tokens);
        }
        Bucket[] m = models.get(model);
        if (m != null) {
            charge(out, m, body, tokens);
        }
        Bucket[] pr = providers.get(provider);
        if (pr != null) {
            charge(out, pr, body, tokens);
        }
        return out;
    }

    private void add(List<Charge> out, String scope, LimitPolicy policy, String model, byte[] body, long[] tokens) {
        if (policy.none()) {
            return;
        }
        if (!policy.limits().none()) {
            charge(out, principals.computeIfAbsent(new Owner(scope, policy.limits()),
                    o -> buckets(o.scope(), o.limits())), body, tokens);
        }
        Optional<LimitPolicy.ModelLimit> m = policy.forModel(model);
        if (m.isPresent()) {
            String s = scope + ":model:" + m.get().pattern();
            charge(out, principals.computeIfAbsent(new Owner(s, m.get().limits()), o -> buckets(o.scope(), o.limits())),
                    body, tokens);
        }
    }

    private void charge(List<Charge> out, Bucket[] buckets, byte[] body, long[] tokens) {
        for (Bucket b : buckets) {
            long cost = 1;
            if (b.unit() == Bucket.Unit.TOKENS) {
                if (tokens[0] < 0) {
                    tokens[0] = estimate(body);
                }
                cost = tokens[0];
            }
            out.add(new Charge(b, cost));
        }
    }

    long estimate(byte[] body) {
        long output = OutputLimit.of(body).orElse(outputTokens);
        return TokenEstimate.ofBodyBytes(body.length) + Math.min(output, outputTokens);
    }

    /**
     * The counters of one owner's limits. A counter's key holds its limit: a changed limit starts a
     * fresh counter (its state is kept in units of the old limit), and the old one expires unused.
     */
    private static Bucket[] buckets(String scope, Limits l) {
        List<Bucket> out = new ArrayList<>(4);
        if (l.rpm() > 0) {
            out.add(new Bucket(scope + ":rpm:" + l.rpm(), Bucket.Unit.REQUESTS, l.rpm(), MINUTE));
        }
        if (l.tpm() > 0) {
            out.add(new Bucket(scope + ":tpm:" + l.tpm(), Bucket.Unit.TOKENS, l.tpm(), MINUTE));
        }
        if (l.tpd() > 0) {
            out.add(new Bucket(scope + ":tpd:" + l.tpd(), Bucket.Unit.TOKENS, l.tpd(), DAY));
        }
        if (l.concurrent() > 0) {
            out.add(new Bucket(scope + ":concurrent:" + l.concurrent(), Bucket.Unit.CONCURRENT, l.concurrent(), 0));
        }
        return out.toArray(Bucket[]::new);
    }
}
