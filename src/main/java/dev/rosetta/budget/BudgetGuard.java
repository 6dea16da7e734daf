package dev.rosetta.budget;

import dev.rosetta.auth.Principal;
import dev.rosetta.error.ErrorKind;
import dev.rosetta.error.GatewayError;
import dev.rosetta.ledger.Cost;
import dev.rosetta.ledger.PriceTable;
import dev.rosetta.model.Usage;
import dev.rosetta.pipeline.Exchange;
import dev.rosetta.pipeline.Replies;
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
     * Reserves for {@code ex} and runs {@code next} if every budget has room; otherwise answers the
     * refusal. A refusal after an asynchronous decision is answered through {@code replies}.
     *
     * @param maxOutputTokens the output limit the request sets, -1 for none
     */
    public void admit(Exchange ex, Route route, long bodyBytes, long maxOutputTokens, Replies replies, Runnable next) {
        long now = clock.millis();
        Principal p = ex.principal();
        long cost = estimate(route.upstreamModel(), bodyBytes, maxOutputTokens);
        List<Hold> holds = holds(p, cost, now);
        Future<Verdict> verdict = book.reserve(holds, now);
        if (verdict.isComplete()) {
            decided(ex, holds, verdict.result(), next);
            return;
        }
        verdict.onComplete(ar -> {
            try {
                decided(ex, holds, ar.succeeded() ? ar.result()
                        : new Verdict(-1, List.of(), Optional.of(String.valueOf(ar.cause()))), next);
            } catch (dev.rosetta.error.GatewayException e) {
                replies.error(ex, e.error());
            }
        });
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

    private void decided(Exchange ex, List<Hold> holds, Verdict v, Runnable next) {
        if (v.unavailable().isPresent()) {
            // The counters are the rate limiter's Redis: limits_on_redis_failure decides for both, and
            // with allow the request goes through unbudgeted (logged by the counters).
            if (book.failurePolicyDenies()) {
                throw GatewayError.of(ErrorKind.UNAVAILABLE, "budgets cannot be checked right now; try again shortly")
                        .withRetryAfter(1).toException();
            }
            next.run();
            return;
        }
        if (v.refused() >= 0) {
            Hold h = holds.get(v.refused());
            ex.response().headers().set("x-should-retry", "false");
            ex.signal(dev.rosetta.metrics.Signal.BUDGET_EXHAUSTED);
            throw refusal(ex.principal(), h, v.spends().get(v.refused())).toException();
        }
        if (ex.response().closed()) {
            book.settle(holds, 0, clock.millis()); // the client left meanwhile: its hooks have run
            return;
        }
        ex.whenComplete(done -> settle(done, holds));
        warnIfOver(ex, holds, v.spends());
        next.run();
    }

    private void settle(Exchange ex, List<Hold> holds) {
        long actual = actualCost(ex);
        Principal p = ex.principal();
        book.settle(holds, actual, clock.millis()).onSuccess(spends -> {
            for (int i = 0; i < holds.size(); i++) {
                alerts.spent(p, holds.get(i), spends.get(i));
            }
        });
    }

    /** What the ledger records for the request: the same usage, the same prices. */
    private long actualCost(Exchange ex) {
        String upstream = ex.upstreamModel().isEmpty() ? ex.model() : ex.upstreamModel();
        return prices.cost(upstream, ex.usage()).nanos();
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
