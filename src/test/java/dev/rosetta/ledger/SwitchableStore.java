package dev.rosetta.ledger;

import dev.rosetta.store.StoreException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A ledger store in front of a real one that can be cut off, or made to commit a batch and then
 * report a failure (the answer lost on the way back), as a network cut does.
 */
final class SwitchableStore implements LedgerStore {

    private final LedgerStore real;
    volatile boolean down;
    final AtomicInteger commitThenFail = new AtomicInteger();
    final AtomicInteger inserts = new AtomicInteger();
    /** Request ids the store refuses while it answers, as a database refuses a value (a constraint, a type). */
    final java.util.Set<String> refused = java.util.concurrent.ConcurrentHashMap.newKeySet();

    SwitchableStore(LedgerStore real) {
        this.real = real;
    }

    @Override
    public void insert(List<LedgerRecord> records) {
        inserts.incrementAndGet();
        if (down) {
            throw new StoreException("connection refused");
        }
        for (LedgerRecord r : records) {
            if (refused.contains(r.requestId())) {
                throw new StoreException("value refused for " + r.requestId());
            }
        }
        real.insert(records);
        if (commitThenFail.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StoreException("connection reset after commit");
        }
    }

    @Override
    public List<UsageRow> aggregate(UsageQuery query) {
        return real.aggregate(query);
    }

    @Override
    public List<LedgerRecord> records(UsageQuery query) {
        return real.records(query);
    }

    @Override
    public int prune(long before) {
        if (down) {
            throw new StoreException("connection refused");
        }
        return real.prune(before);
    }

    @Override
    public boolean refused(StoreException e) {
        return e.getMessage().startsWith("value refused");
    }

    @Override
    public void close() {
        // the real store is closed by the test
    }
}
