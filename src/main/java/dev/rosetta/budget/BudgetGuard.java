package dev.rosetta.budget;

import dev.rosetta.auth.Principal;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.ledger.Cost;
import dev.rosetta.ledger.PriceTable;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.route.Route;
import dev.rosetta.usage.TokenEstimate;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budgets in money on keys and tenants, enforced in the police stage before the rate limits.
 *
 * <p>Admission reserves the request's estimated maximum cost (its body's size in tokens plus its
 * output limit capped at {@code limits_output_tokens}, at the upstream model's price) against the
 * remaining budget of the key and of its tenant, in one all-or-nothing {@link BudgetBook#reserve}. The
 * request's completion settles the reservation with the cost the ledger records for it (the same
 * usage, the same price table), up or down. A model without a price reserves and costs 0 and passes.
 * A hard budget refuses with {@link ErrorKind#BUDGET_EXHAUSTED} and {@code x-should-retry: false},
 * the reset time in the message; a soft one lets the request through with an
 * {@code x-rosetta-budget-warning} header, and says so in the log once per owner and period.
 *
 * <p>Shared by every event loop. Never blocks: the counters answer through futures.
 */
public final class BudgetGuard {

    private static final Logger LOG = LoggerFactory.getLogger(BudgetGuard.class);
    public static final String WARNING_HEADER = "x-rosetta-budget-warning";

    private final BudgetBook book;
    private final PriceTable prices;
    private final long outputTokens;
    private final Clock clock;
    private final BudgetAlerts alerts;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /**
     * @param outputTokens {@code limits_output_tokens}: the output assumed when a request sets no limit, and the cap on the one it sets
     * @param alerts told of every settled spend; {@link BudgetAlerts#NONE} without {@code budget_alerts}
     */
    public BudgetGuard(BudgetBook book, PriceTable prices, long outputTokens, Clock clock, BudgetAlerts alerts) {
        this.book = book;
        this.prices = prices;
        this.outputTokens = outputTokens;
        this.clock = clock;
        this.alerts = alerts;
    }

    public BudgetBook book() {
        return book;
    }

    /** Whether {@code p} has a budget at all: only then is anything reserved. */
    public static boolean applies(Principal p) {
        return p.keyLimits().budget().isPresent() || p.tenantLimits().budget().isPresent();
    }

    /**
     * What a request's reservation against its budgets came to.
     *
     * @param holds what was asked of each budget (key, then tenant)
     * @param verdict what the counters answered: taken, refused, or unreachable
     */
    public record Claim(List<Hold> holds, Verdict verdict) {
    }

    /**
     * Reserves the estimated maximum cost of {@code ex} against its key's and tenant's budgets. The
     * future never fails: counters that cannot be reached give a claim whose verdict says so. The caller
     * then {@link #admits checks} it and either {@link #keep keeps} or {@link #release releases} it.
     *
     * @param maxOutputTokens the output limit the request sets, -1 for none
     */
    public Future<Claim> reserve(Exchange ex, Route route, long bodyBytes, long maxOutputTokens) {
        return reserve(ex, estimate(route.upstreamModel(), bodyBytes, maxOutputTokens));
    }

    /**
     * Reserves {@code cost} nano-USD for {@code ex}, as {@link #reserve(Exchange, Route, long, long)} does its
     * estimate. A cost of 0 reserves nothing and is refused only by a hard budget already spent.
     */
    public Future<Claim> reserve(Exchange ex, long cost) {
        long now = clock.millis();
        List<Hold> holds = holds(ex.principal(), cost, now);
        Future<Verdict> verdict = book.reserve(holds, now);
        if (verdict.isComplete()) {
            return Future.succeededFuture(new Claim(holds, verdict.succeeded() ? verdict.result() : unreachable(verdict.cause())));
        }
        return verdict.transform(ar -> Future.succeededFuture(
                new Claim(holds, ar.succeeded() ? ar.result() : unreachable(ar.cause()))));
    }

    private static Verdict unreachable(Throwable cause) {
        return new Verdict(-1, List.of(), Optional.of(String.valueOf(cause)));
    }

    /**
     * Whether {@code c} lets its request through: every budget had room, or the counters could not be
     * reached and {@code limits_on_redis_failure} is {@code allow} (the counters are the rate limiter's
     * Redis, and its setting decides for both).
     */
    public boolean admits(Claim c) {
        Verdict v = c.verdict();
        return v.unavailable().isPresent() ? !book.failurePolicyDenies() : v.refused() < 0;
    }

    /**
     * Throws the answer to a request {@code c} does not admit ({@link #admits}): the budget refusal, with
     * {@code x-should-retry: false} and the reset time, or 503 while the counters cannot be checked.
     */
    public void refuse(Exchange ex, Claim c) {
        Verdict v = c.verdict();
        if (v.unavailable().isPresent()) {
            throw GatewayError.of(ErrorKind.UNAVAILABLE, "budgets cannot be checked right now; try again shortly")
                    .withRetryAfter(1).toException();
        }
        Hold h = c.holds().get(v.refused());
        ex.response().headers().set("x-should-retry", "false");
        ex.signal(dev.rosetta.metrics.Signal.BUDGET_EXHAUSTED);
        throw refusal(ex.principal(), h, v.spends().get(v.refused())).toException();
    }

    /**
     * The request goes on holding {@code c}: its completion settles the reservation with the cost the
     * ledger records, and a soft budget it is over warns in a header.
     */
    public void keep(Exchange ex, Claim c) {
        if (!c.verdict().granted()) {
            return; // nothing taken (counters unreachable, served anyway)
        }
        List<Hold> holds = c.holds();
        ex.whenComplete(done -> settle(done, holds));
        warnIfOver(ex, holds, c.verdict().spends());
    }

    /** Gives {@code c}'s reservation back: its request will not be served (refused by a limit, or gone). */
    public void release(Claim c) {
        if (c.verdict().granted()) {
            book.settleQuietly(c.holds(), 0, clock.millis());
        }
    }

    /** The estimated maximum cost of a request, nano-USD: 0 when the model has no price. */
    public long estimate(String upstreamModel, long bodyBytes, long maxOutputTokens) {
        var price = prices.find(upstreamModel);
        if (price.isEmpty()) {
            return 0;
        }
        long output = maxOutputTokens < 0 ? outputTokens : Math.min(maxOutputTokens, outputTokens);
        return Cost.of(price.get(), new Usage(TokenEstimate.ofBodyBytes(bodyBytes), 0, 0, output, 0)).nanos();
    }

    /** The holds of a request by {@code p} costing at most {@code cost}: its key's budget, then its tenant's. */
    public static List<Hold> holds(Principal p, long cost, long now) {
        List<Hold> out = new ArrayList<>(2);
        p.keyLimits().budget().ifPresent(b -> out.add(hold("key", p.keyId(), b, cost, now)));
        p.tenantLimits().budget().ifPresent(b -> out.add(hold("tenant", p.tenant(), b, cost, now)));
        return out;
    }

    public static Hold hold(String kind, String id, Budget b, long cost, long now) {
        return new Hold(kind, id, b.window(now), b.nanos(), b.soft(), cost);
    }

    private void settle(Exchange ex, List<Hold> holds) {
        long actual = actualCost(ex);
        if (alerts == BudgetAlerts.NONE) {
            book.settleQuietly(holds, actual, clock.millis());
            return;
        }
        Principal p = ex.principal();
        book.settle(holds, actual, clock.millis()).onSuccess(spends -> {
            for (int i = 0; i < holds.size(); i++) {
                alerts.spent(p, holds.get(i), spends.get(i));
            }
        });
    }

    /** What the ledger records for the request: the same usage, the same prices, attempts billed beside it included. */
    private long actualCost(Exchange ex) {
        String upstream = ex.upstreamModel().isEmpty() ? ex.model() : ex.upstreamModel();
        long nanos = prices.cost(upstream, ex.usage()).nanos();
        for (dev.rosetta.pipeline.BilledAttempt a : ex.billedAttempts()) {
            nanos += prices.cost(a.upstreamModel(), a.usage()).nanos();
        }
        return nanos;
    }

    private void warnIfOver(Exchange ex, List<Hold> holds, List<Spend> spends) {
        for (int i = 0; i < holds.size(); i++) {
            Hold h = holds.get(i);
            Spend s = spends.get(i);
            if (h.soft() && s.spent() + s.reserved() > h.limit()) {
                String msg = h.kind() + " " + h.id() + " is over its soft budget of $" + Budget.usd(h.limit())
                        .toPlainString() + ": spent $" + Budget.usd(s.spent()).toPlainString() + " this period"
                        + resets(h.window());
                ex.response().headers().set(WARNING_HEADER, msg);
                if (warned.add(h.counter())) {
                    LOG.warn("budget: {}", msg);
                }
                return;
            }
        }
    }

    static GatewayError refusal(Principal p, Hold h, Spend s) {
        String who = h.kind().equals("key") ? "key " + p.keyName() + " (" + p.keyId() + ")" : "tenant " + h.id();
        String spent = "$" + Budget.usd(s.spent()).toPlainString();
        String budget = "$" + Budget.usd(h.limit()).toPlainString();
        String msg = s.spent() >= h.limit()
                ? "budget exhausted: " + who + " has spent " + spent + " of its " + budget + " budget"
                : "budget exhausted: this request may cost up to $" + Budget.usd(h.cost()).toPlainString() + " and "
                        + who + " has $" + Budget.usd(s.remaining(h.limit())).toPlainString() + " left of its "
                        + budget + " budget (" + spent + " spent, $" + Budget.usd(s.reserved()).toPlainString()
                        + " held by requests in progress); lower the request's max output tokens or wait";
        return GatewayError.of(ErrorKind.BUDGET_EXHAUSTED, msg + resets(h.window())).withCode("insufficient_quota");
    }

    private static String resets(Budget.Window w) {
        return w.end() == Long.MAX_VALUE ? "; it does not reset (period: total)"
                : "; it resets at " + Instant.ofEpochMilli(w.end());
    }
}
