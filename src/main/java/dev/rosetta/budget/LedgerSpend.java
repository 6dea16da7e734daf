package dev.rosetta.budget;

import java.util.concurrent.CompletableFuture;

/**
 * The spend the ledger holds for one owner over {@code [from, to)}, nano-USD: what a budget counter
 * starts from when the counters do not hold it (a restart in process, a new period, a Redis that lost it).
 */
@FunctionalInterface
public interface LedgerSpend {

    CompletableFuture<Long> spent(String kind, String id, long from, long to);

    /** Without a ledger: nothing was spent before. */
    LedgerSpend NONE = (kind, id, from, to) -> CompletableFuture.completedFuture(0L);
}
