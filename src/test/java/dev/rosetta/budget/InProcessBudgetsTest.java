package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;

class InProcessBudgetsTest extends BudgetBookContract {

    private final InProcessBudgets book = new InProcessBudgets();

    @Override
    protected BudgetBook book() {
        return book;
    }

    @org.junit.jupiter.api.Test
    void aCounterFirstSeenIsLoadedFromTheLedgerSoARestartKeepsTheSpend() throws Exception {
        CompletableFuture<Long> ledger = new CompletableFuture<>();
        long[] asked = new long[2];
        InProcessBudgets restarted = new InProcessBudgets((kind, id, from, to) -> {
            asked[0] = from;
            asked[1] = to;
            return ledger;
        });
        Hold h = BudgetGuard.hold("key", "k_1", new Budget(5 * USD, Budget.Period.DAY, ZoneOffset.UTC, false), USD, T0);
        var pending = restarted.reserve(List.of(h), T0);
        assertThat(pending.isComplete()).isFalse(); // waits for the one ledger query
        ledger.complete(4 * USD);
        Verdict v = pending.toCompletionStage().toCompletableFuture().get();
        assertThat(v.granted()).isTrue();
        assertThat(v.spends().get(0)).isEqualTo(new Spend(4 * USD, USD));
        assertThat(asked[0]).isEqualTo(h.window().start());
        assertThat(restarted.reserve(List.of(h), T0).result().granted()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void aRefreshFromTheSharedLedgerRaisesTheSpendToWhatOtherReplicasSpent() throws Exception {
        Budget budget = new Budget(5 * USD, Budget.Period.DAY, ZoneOffset.UTC, false);
        Hold h = BudgetGuard.hold("key", "k_9", budget, USD, T0);
        book.settle(List.of(h), 0, T0);
        assertThat(book.reserve(List.of(h), T0).result().granted()).isTrue();
        book.settle(List.of(h), USD, T0); // $1 spent here
        long[] asked = new long[2];
        book.refresh((kind, from, to) -> {
            asked[0] = from;
            asked[1] = to;
            // the ledger: this replica's $1 and another's $3
            return CompletableFuture.completedFuture(kind.equals("key") ? java.util.Map.of("k_9", 4 * USD) : java.util.Map.of());
        }, T0).get();
        assertThat(asked).containsExactly(h.window().start(), h.window().end());
        assertThat(book.peek(h, T0).result()).isEqualTo(new Spend(4 * USD, 0));
        assertThat(book.reserve(List.of(h), T0).result().granted()).isTrue();
        assertThat(book.reserve(List.of(h), T0).result().granted()).isFalse();
        // a ledger behind this replica never lowers its count
        book.refresh((kind, from, to) -> CompletableFuture.completedFuture(java.util.Map.of("k_9", 0L)), T0).get();
        assertThat(book.peek(h, T0).result().spent()).isEqualTo(4 * USD);
    }
}
