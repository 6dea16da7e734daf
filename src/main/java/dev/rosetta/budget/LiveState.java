package dev.rosetta.budget;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rosetta.limits.Bucket;
import dev.rosetta.limits.Charge;
import dev.rosetta.limits.Decision;
import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limiter;
import dev.rosetta.limits.Police;
import dev.rosetta.limits.Quota;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * What the admin API shows of a key or tenant right now: its budget's current period (spent,
 * reserved, remaining, start and end) and each of its limits (limit, remaining, reset), read from the
 * same counters the requests use. Reading a rate counter takes nothing from it.
 */
public final class LiveState {

    private final BudgetGuard budgets;
    private final Limiter limiter;
    private final Clock clock;

    /** @param budgets null without budgets; {@code limiter} null without limits */
    public LiveState(BudgetGuard budgets, Limiter limiter, Clock clock) {
        this.budgets = budgets;
        this.limiter = limiter;
        this.clock = clock;
    }

    /**
     * {@code {"budget_state": {...}, "limit_state": {...}}}, each only when it has something to show.
     *
     * @param kind {@code key} (by id) or {@code tenant} (by name)
     */
    public CompletableFuture<ObjectNode> of(String kind, String id, LimitPolicy policy) {
        long now = clock.millis();
        ObjectNode out = JsonNodeFactory.instance.objectNode();
        Future<Void> budget = Future.succeededFuture();
        if (budgets != null && policy.budget().isPresent()) {
            Budget b = policy.budget().get();
            Hold h = BudgetGuard.hold(kind, id, b, 0, now);
            budget = budgets.book().peek(h, now).map(s -> {
                ObjectNode o = out.putObject("budget_state");
                o.put("spent_usd", Budget.usd(s.spent())).put("reserved_usd", Budget.usd(s.reserved()))
                        .put("remaining_usd", Budget.usd(s.remaining(b.nanos()))).put("budget_usd", b.usd())
                        .put("period_start", Instant.ofEpochMilli(h.window().start()).toString());
                if (h.window().end() == Long.MAX_VALUE) {
                    o.putNull("period_end");
                } else {
                    o.put("period_end", Instant.ofEpochMilli(h.window().end()).toString());
                }
                return null;
            });
        }
        Future<Void> limits = Future.succeededFuture();
        if (limiter != null && !policy.noLimits()) {
            List<Police.Scoped> scoped = Police.buckets(kind, id, policy);
            List<Charge> peek = new ArrayList<>();
            scoped.forEach(s -> s.buckets().forEach(b -> peek.add(new Charge(b, 0))));
            limits = limiter.reserve(peek, "peek", now).map(d -> {
                List<Quota> quotas = switch (d) {
                    case Decision.Granted g -> g.quotas();
                    case Decision.Refused r -> r.quotas();
                    case Decision.Unavailable u -> List.of();
                };
                ObjectNode o = out.putObject("limit_state");
                int i = 0;
                for (Police.Scoped s : scoped) {
                    ObjectNode target = s.pattern().isEmpty() ? o
                            : (o.has("model_limits") ? (ObjectNode) o.get("model_limits") : o.putObject("model_limits"))
                                    .putObject(s.pattern());
                    for (Bucket b : s.buckets()) {
                        ObjectNode q = target.putObject(Police.kindOf(b));
                        q.put("limit", b.limit());
                        if (i < quotas.size()) {
                            q.put("remaining", quotas.get(i).remaining()).put("reset_ms", quotas.get(i).resetMillis());
                        }
                        i++;
                    }
                }
                return null;
            });
        }
        CompletableFuture<ObjectNode> f = new CompletableFuture<>();
        Future.join(budget, limits).onComplete(ar -> f.complete(out));
        return f;
    }
}
