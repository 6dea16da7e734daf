package dev.rosetta.ledger;

import java.util.List;

/**
 * Where ledger records are kept. Called from the ledger's own thread only, never from an event
 * loop; every method may block and throws {@link dev.rosetta.store.StoreException} when the store
 * cannot be reached.
 */
public interface LedgerStore extends AutoCloseable {

    /**
     * Writes the records in one transaction. Idempotent by request id: a record already stored is
     * left as it is, so a batch replayed from the spool after a partial success is stored once.
     */
    void insert(List<LedgerRecord> records);

    /** Aggregates over {@code [from, to)}, epoch milliseconds, grouped by the given dimensions. */
    List<UsageRow> aggregate(UsageQuery query);

    /** Records in {@code [from, to)}, newest first, after the cursor of a previous page. */
    List<LedgerRecord> records(UsageQuery query);

    /**
     * Folds the records older than {@code before} (epoch milliseconds, a day boundary) into daily
     * rollups and deletes them, in one transaction.
     *
     * @return how many records were pruned
     */
    int prune(long before);

    /**
     * Whether the store answers now (a trivial query): after an insert failed, tells a store that is away
     * (keep the records for later) from one that refused what it was given (set those records aside).
     */
    boolean reachable();

    @Override
    void close();
}
