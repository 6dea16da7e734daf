package dev.rosetta.bench;

import dev.rosetta.auth.ModelPatterns;
import dev.rosetta.auth.Principal;
import dev.rosetta.budget.Budget;
import dev.rosetta.budget.BudgetAlerts;
import dev.rosetta.budget.BudgetGuard;
import dev.rosetta.budget.Hold;
import dev.rosetta.budget.InProcessBudgets;
import dev.rosetta.budget.Verdict;
import dev.rosetta.ledger.PriceTable;
import dev.rosetta.limits.LimitPolicy;
import dev.rosetta.limits.Limits;
import dev.rosetta.model.Usage;
import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The budget check's cost per request with the in-process counters, beside the police stage's rows:
 * the estimated maximum cost of a 4 KB request with {@code max_tokens: 512} at gpt-4o-mini's shipped
 * price, the holds of a key's daily budget (Europe/Berlin) and its tenant's monthly one (their periods
 * computed from the clock), the all-or-nothing reservation, and the settlement with the real cost from
 * the usage, as the completion hook does. Budgets are large enough that every request is granted.
 * {@code keyWithoutBudget} is what a key with none costs (one check of two fields).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BudgetBenchmark {

    @State(Scope.Benchmark)
    public static class Stage {
        BudgetGuard guard;
        InProcessBudgets book;
        PriceTable prices;
        Principal budgeted;
        Principal unbudgeted;
        Usage usage = new Usage(900, 0, 0, 300, 0);
        long bodyBytes = 4096;

        @Setup
        public void setUp() {
            book = new InProcessBudgets();
            prices = PriceTable.shippedOnly();
            guard = new BudgetGuard(book, prices, 4096, Clock.systemUTC(), BudgetAlerts.NONE);
            Budget day = new Budget(Long.MAX_VALUE / 4, Budget.Period.DAY, ZoneId.of("Europe/Berlin"), false);
            Budget month = new Budget(Long.MAX_VALUE / 4, Budget.Period.MONTH, ZoneId.of("UTC"), false);
            budgeted = new Principal("tenant-1", "key_1", "key-1", ModelPatterns.ALL, ModelPatterns.ALL, true,
                    new LimitPolicy(Limits.NONE, List.of(), Optional.of(month)),
                    new LimitPolicy(Limits.NONE, List.of(), Optional.of(day)));
            unbudgeted = new Principal("tenant-1", "key_2", "key-2", ModelPatterns.ALL, ModelPatterns.ALL);
        }
    }

    @Benchmark
    public Object keyAndTenantBudgets(Stage s) {
        long now = System.currentTimeMillis();
        long cost = s.guard.estimate("gpt-4o-mini", s.bodyBytes, 512);
        List<Hold> holds = BudgetGuard.holds(s.budgeted, cost, now);
        Verdict v = s.book.reserve(holds, now).result();
        return s.book.settle(holds, s.prices.cost("gpt-4o-mini", s.usage).nanos(), now).result() == null ? null : v;
    }

    @Benchmark
    public boolean keyWithoutBudget(Stage s) {
        return BudgetGuard.applies(s.unbudgeted);
    }
}
