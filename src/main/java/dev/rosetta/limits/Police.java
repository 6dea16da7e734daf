package dev.rosetta.limits;

import dev.rosetta.auth.Principal;
import dev.rosetta.budget.BudgetGuard;
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
 * <p>Budgets in money ({@link BudgetGuard}) are reserved at the same time, for a principal that has
 * one: its estimated maximum cost against its key's and tenant's budgets. A request they cannot cover
 * is refused with the budget's answer (which wins over a rate-limit refusal), and what the limits
 * granted it is given back whole ({@link Limiter#cancel}); a request the limits refuse gives its
 * budget reservation back.
 *
 * <p>Present in the pipeline only when some limit is configured or keys are on (see {@link #needed}). Called on the request's event loop;
 * never blocks (the Redis limiter answers through a future, bounded by its timeout).
 */
public final class Police {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Police.class);

    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    private final Limiter limiter;
    private final BudgetGuard budgets;
    private final Clock clock;
    private final Replies replies;
    private final long outputTokens;
    private final Map<String, Bucket[]> providers = new ConcurrentHashMap<>();
    private final Map<String, Bucket[]> models = new ConcurrentHashMap<>();
    /** Buckets of keys' and tenants' limits, by owner and limits: a changed limit makes new buckets. */
    private final Map<Owner, Bucket[]> principals = new ConcurrentHashMap<>();

    /** A key's or tenant's limits, or their limits for the models a pattern matches (pattern empty: all). */
    private record Owner(String kind, String name, String pattern, Limits limits) {
    }

    private static Bucket[] buckets(Owner o) {
        return buckets(o.kind() + o.name() + (o.pattern().isEmpty() ? "" : ":model:" + o.pattern()), o.limits());
    }

    public Police(Limiter limiter, LimiterConfig config, Clock clock, Replies replies) {
        this(limiter, config, clock, replies, null);
    }

    /** @param budgets the budgets of keys and tenants, checked before the limits; null when budgets are off */
    public Police(Limiter limiter, LimiterConfig config, Clock clock, Replies replies, BudgetGuard budgets) {
        this.budgets = budgets;
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
     * Reserves for {@code ex} and runs {@code next} if granted; otherwise answers the refusal. The budget
     * and the limits are asked at once (with counters in Redis, their two scripts leave in one write);
     * a request one of them refuses gives back what the other took. A refusal or failure in
     * {@code next} after an asynchronous decision is answered here too.
     *
     * @param bodyBytes the request body's size, for the input estimate
     * @param maxOutputTokens the output limit the request sets, -1 for none
     */
    public void admit(Exchange ex, Route route, long bodyBytes, long maxOutputTokens, Runnable next) {
        if (ex.endpoint().operation() == Endpoint.Operation.COUNT_TOKENS) {
            next.run(); // free at every provider, and limited there apart from generation
            return;
        }
        long now = clock.millis();
        Future<BudgetGuard.Claim> money = budgets != null && BudgetGuard.applies(ex.principal())
                ? budgets.reserve(ex, route, bodyBytes, maxOutputTokens) : null;
        Future<Decision> rate = reserve(ex.principal(), ex.model(), route.provider().name(), bodyBytes,
                maxOutputTokens, ex.requestId(), now);
        decide(ex, money, rate, now, true, next);
    }

    /**
     * The police stage for the rest of a provider's API (files, uploads, batches, stored responses,
     * images, ...), before the call: these requests count against the request limits that apply to them
     * as any other, rpm and concurrent, of the key and tenant (and their {@code model_limits} when the
     * request names a model), the model's and the provider's. Token limits do not count them: nothing
     * there is metered in tokens the gateway sees. A key or tenant whose hard budget is spent is refused;
     * nothing is reserved against a budget that is not, since what these calls cost (a batch's results,
     * say) is billed by the provider later, outside the gateway's view. The provider's own rate-limit
     * headers reach the client as it sent them; the gateway's are written only on a refusal.
     *
     * @param model the model the request names, empty for none
     */
    public void admitApi(Exchange ex, String model, String provider, Runnable next) {
        long now = clock.millis();
        Future<BudgetGuard.Claim> money = budgets != null && BudgetGuard.applies(ex.principal())
                ? budgets.reserve(ex, 0) : null;
        Future<Decision> rate = reserve(ex.principal(), model, provider, 0, 0, false, ex.requestId(), now);
        decide(ex, money, rate, now, false, next);
    }

    /** Waits for both answers (either may be null: not asked), then {@link #decided}. */
    private void decide(Exchange ex, Future<BudgetGuard.Claim> money, Future<Decision> rate, long now,
                        boolean headers, Runnable next) {
        if (money == null && rate == null) {
            next.run();
            return;
        }
        if ((money == null || money.isComplete()) && (rate == null || rate.isComplete())) {
            decided(ex, claim(money), decision(rate), now, headers, next);
            return;
        }
        Future.join(money == null ? Future.succeededFuture() : money, rate == null ? Future.succeededFuture() : rate)
                .onComplete(x -> {
                    try {
                        decided(ex, claim(money), decision(rate), now, headers, next);
                    } catch (GatewayException e) {
                        replies.error(ex, e.error());
                    } catch (RuntimeException e) {
                        // answered here, as the router answers what fails before any asynchronous step
                        LOG.error("unexpected failure after the police stage of {}", ex.requestId(), e);
                        replies.error(ex, GatewayError.of(ErrorKind.INTERNAL, "internal gateway error"));
                    }
                });
    }

    private static BudgetGuard.Claim claim(Future<BudgetGuard.Claim> money) {
        return money == null ? null : money.result(); // a claim's future never fails
    }

    private static Decision decision(Future<Decision> rate) {
        if (rate == null) {
            return null;
        }
        return rate.succeeded() ? rate.result() : new Decision.Unavailable(String.valueOf(rate.cause()));
    }

    /**
     * The reservation of one request: what {@link #admit} asks the limiter, without the exchange.
     *
     * @return null when no limit applies to the request (nothing is reserved, nothing to settle)
     */
    public Future<Decision> reserve(Principal p, String model, String provider, long bodyBytes, long maxOutputTokens,
                                    String lease, long now) {
        return reserve(p, model, provider, bodyBytes, maxOutputTokens, true, lease, now);
    }

    /** @param tokens whether the token limits count the request too, or only the request limits */
    private Future<Decision> reserve(Principal p, String model, String provider, long bodyBytes, long maxOutputTokens,
                                     boolean tokens, String lease, long now) {
        if (p.keyLimits().noLimits() && p.tenantLimits().noLimits() && models.isEmpty() && providers.isEmpty()) {
            return null;
        }
        List<Charge> charges = charges(p, model, provider, bodyBytes, maxOutputTokens);
        if (!tokens) {
            charges.removeIf(c -> c.bucket().unit() == Bucket.Unit.TOKENS);
        }
        return charges.isEmpty() ? null : limiter.reserve(charges, lease, now);
    }

    /**
     * Both answers in (either may be null: not asked): go on holding both, or refuse and give back.
     *
     * @param headers whether a granted request's answer carries the remaining quota in the dialect's headers
     */
    private void decided(Exchange ex, BudgetGuard.Claim claim, Decision decision, long now, boolean headers,
                         Runnable next) {
        Reservation held = decision instanceof Decision.Granted g ? g.reservation() : Reservation.NONE;
        if (claim != null && !budgets.admits(claim)) {
            cancel(held);
            budgets.refuse(ex, claim);
        }
        if (decision != null && !(decision instanceof Decision.Granted)) {
            if (claim != null) {
                budgets.release(claim);
            }
            refuse(ex, decision, now);
        }
        if (ex.response().closed()) {
            // the client left while Redis answered: the request has ended, its hooks have run
            if (claim != null) {
                budgets.release(claim);
            }
            if (held != Reservation.NONE) {
                limiter.settle(held, 0, clock.millis()); // admitted, then abandoned: it counts as asked
            }
            return;
        }
        if (claim != null) {
            budgets.keep(ex, claim);
        }
        if (decision instanceof Decision.Granted g) {
            if (held != Reservation.NONE) {
                ex.whenComplete(done -> limiter.settle(held, actualTokens(done, held), clock.millis()));
            }
            if (headers) {
                RateHeaders.write(ex.response().headers(), ex.dialect(), g.quotas(), now);
            }
        }
        next.run();
    }

    private void cancel(Reservation r) {
        if (r != Reservation.NONE) {
            limiter.cancel(r, clock.millis());
        }
    }

    /** Throws the answer to a refused or undecidable reservation. */
    private void refuse(Exchange ex, Decision decision, long now) {
        switch (decision) {
            case Decision.Refused r -> {
                RateHeaders.write(ex.response().headers(), ex.dialect(), r.quotas(), now);
                throw refusal(ex, r).toException();
            }
            case Decision.Unavailable u -> throw GatewayError.of(ErrorKind.UNAVAILABLE,
                    "rate limits cannot be checked right now (" + u.reason() + "); try again shortly")
                    .withRetryAfter(1).toException();
            case Decision.Granted g -> throw new IllegalStateException("granted");
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
        ex.signal(dev.rosetta.metrics.Signal.RATE_LIMITED);
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
     * provider may well have billed it); nothing for a cache hit.
     */
    private static long actualTokens(Exchange ex, Reservation r) {
        if (ex.cacheHit()) {
            return 0; // served from the cache: the provider was not called
        }
        long billed = 0;
        for (dev.rosetta.pipeline.BilledAttempt a : ex.billedAttempts()) {
            billed += a.usage().total(); // hedges that lost after their prompt went out
        }
        long total = ex.usage().total();
        if (total > 0) {
            return total + billed;
        }
        return (ex.status() == 499 ? r.reservedTokens() : 0) + billed;
    }

    private List<Charge> charges(Principal p, String model, String provider, long bodyBytes, long maxOutputTokens) {
        List<Charge> out = new ArrayList<>(8);
        // the estimate, made once and only if some bucket counts tokens
        long[] tokens = {-1, bodyBytes, maxOutputTokens};
        if (!p.anonymous()) {
            add(out, "key:", p.keyId(), p.keyLimits(), model, tokens);
            add(out, "tenant:", p.tenant(), p.tenantLimits(), model, tokens);
        }
        Bucket[] m = models.get(model);
        if (m != null) {
            charge(out, m, tokens);
        }
        Bucket[] pr = providers.get(provider);
        if (pr != null) {
            charge(out, pr, tokens);
        }
        return out;
    }

    private void add(List<Charge> out, String kind, String name, LimitPolicy policy, String model, long[] tokens) {
        if (policy.noLimits()) {
            return;
        }
        if (!policy.limits().none()) {
            charge(out, principals.computeIfAbsent(new Owner(kind, name, "", policy.limits()), Police::buckets), tokens);
        }
        Optional<LimitPolicy.ModelLimit> m = policy.forModel(model);
        if (m.isPresent()) {
            charge(out, principals.computeIfAbsent(new Owner(kind, name, m.get().pattern(), m.get().limits()),
                    Police::buckets), tokens);
        }
    }

    private void charge(List<Charge> out, Bucket[] buckets, long[] tokens) {
        for (Bucket b : buckets) {
            long cost = 1;
            if (b.unit() == Bucket.Unit.TOKENS) {
                if (tokens[0] < 0) {
                    long output = tokens[2] < 0 ? outputTokens : Math.min(tokens[2], outputTokens);
                    tokens[0] = TokenEstimate.ofBodyBytes(tokens[1]) + output;
                }
                cost = tokens[0];
            }
            out.add(new Charge(b, cost));
        }
    }

    /** The buckets of one owner's overall limits ({@code pattern} empty) or of one of its model limits. */
    public record Scoped(String pattern, List<Bucket> buckets) {
    }

    /**
     * The buckets of a key's ({@code kind} {@code key}, by id) or tenant's ({@code tenant}, by name)
     * limits, the same counters requests are charged to: for the admin API's live state.
     */
    public static List<Scoped> buckets(String kind, String name, LimitPolicy policy) {
        List<Scoped> out = new ArrayList<>();
        if (!policy.limits().none()) {
            out.add(new Scoped("", List.of(buckets(new Owner(kind + ":", name, "", policy.limits())))));
        }
        for (LimitPolicy.ModelLimit m : policy.models()) {
            out.add(new Scoped(m.pattern(), List.of(buckets(new Owner(kind + ":", name, m.pattern(), m.limits())))));
        }
        return out;
    }

    /** {@code rpm}, {@code tpm}, {@code tpd} or {@code concurrent}: what a bucket limits. */
    public static String kindOf(Bucket b) {
        String k = b.key();
        int limit = k.lastIndexOf(':');
        return k.substring(k.lastIndexOf(':', limit - 1) + 1, limit);
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
