package dev.rosetta.budget;

import dev.rosetta.config.AuthConfig;
import dev.rosetta.config.GatewayConfig;
import dev.rosetta.ledger.Ledger;
import dev.rosetta.ledger.PriceTable;
import dev.rosetta.ledger.UsageQuery;
import dev.rosetta.ledger.UsageRow;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The budget stage a gateway runs, built from its configuration. */
public final class Budgets {

    private Budgets() {
    }

    /**
     * The budgets of keys and tenants: on with {@code auth: keys} (budgets may be set at runtime
     * through the admin API), null otherwise. Counters in Redis through {@code redis} (the gateway's link,
     * present when {@code redis:} is set), else in
     * this process, loaded from {@code ledger} (when there is one) for each owner's current period.
     */
    public static BudgetGuard open(Vertx vertx, GatewayConfig config, dev.rosetta.redis.RedisLink redis, Ledger ledger,
                                   Clock clock) {
        if (config.auth().mode() != AuthConfig.Mode.KEYS) {
            return null;
        }
        BudgetBook book = redis != null
                ? dev.rosetta.budget.redis.RedisBudgets.create(redis, config.limiter(),
                        ledger == null ? LedgerSpend.NONE : spend(ledger))
                : new InProcessBudgets(ledger == null ? LedgerSpend.NONE : seed(ledger));
        if (book instanceof InProcessBudgets local && ledger != null
                && config.auth().store().kind() == dev.rosetta.config.StoreLocation.Kind.POSTGRESQL) {
            // Replicas sharing a PostgreSQL store without Redis: each second, what the others spent
            // (as far as their ledgers have written it) raises this replica's counters.
            InProcessBudgets.Poll poll = poll(ledger);
            java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean();
            vertx.setPeriodic(1000, id -> {
                if (busy.compareAndSet(false, true)) {
                    local.refresh(poll, clock.millis()).whenComplete((v, e) -> busy.set(false));
                }
            });
        }
        BudgetAlerts alerts = config.budgetAlerts().on()
                ? new WebhookAlerts(vertx, config.budgetAlerts(), book instanceof dev.rosetta.budget.redis.RedisBudgets r
                        ? r.deduplicator() : WebhookAlerts.Dedup.inProcess(), clock, java.time.Duration.ofSeconds(1))
                : BudgetAlerts.NONE;
        return new BudgetGuard(book, PriceTable.withOverrides(config.ledger().prices()), config.limiter().outputTokens(),
                clock, alerts);
    }

    /** Every owner's spend over a range, grouped by key or tenant: one query. */
    public static InProcessBudgets.Poll poll(Ledger ledger) {
        return (kind, from, to) -> {
            UsageQuery.Dimension by = kind.equals("tenant") ? UsageQuery.Dimension.TENANT : UsageQuery.Dimension.KEY;
            UsageQuery q = new UsageQuery(from, to, List.of(by), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), 1, Optional.empty());
            return ledger.call(s -> {
                java.util.Map<String, Long> out = new java.util.HashMap<>();
                for (UsageRow r : s.aggregate(q)) {
                    out.merge(r.group().get(by), r.costNanos(), Long::sum);
                }
                return out;
            });
        };
    }

    /** The spend the ledger holds for one owner over a range, 0 when the ledger cannot be read. */
    public static LedgerSpend seed(Ledger ledger) {
        LedgerSpend spend = spend(ledger);
        return (kind, id, from, to) -> spend.spent(kind, id, from, to).exceptionally(e -> 0L);
    }

    /** The spend the ledger holds for one owner over a range: the sum of its records' cost; fails with the ledger. */
    public static LedgerSpend spend(Ledger ledger) {
        return (kind, id, from, to) -> {
            UsageQuery q = new UsageQuery(from, to, List.of(),
                    kind.equals("tenant") ? Optional.of(id) : Optional.empty(),
                    kind.equals("key") ? Optional.of(id) : Optional.empty(), Optional.empty(), Optional.empty(), 1,
                    Optional.empty());
            CompletableFuture<Long> f = ledger.call(s -> s.aggregate(q).stream().mapToLong(UsageRow::costNanos).sum());
            return f;
        };
    }
}
