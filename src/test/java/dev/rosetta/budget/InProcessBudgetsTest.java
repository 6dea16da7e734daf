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
}
