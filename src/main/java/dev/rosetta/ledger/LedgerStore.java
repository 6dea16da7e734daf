package dev.rosetta.ledger;

import dev.rosetta.store.StoreException;
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
     * Whether {@code e}, thrown by {@link #insert}, says the store refused what it was given (a value it will
     * not take, a constraint), rather than that it could not be reached or was busy: the records are then set
     * aside, not kept for a later try that would fail the same way.
     */
    boolean refused(StoreException e);

    @Override
    void close();
}
