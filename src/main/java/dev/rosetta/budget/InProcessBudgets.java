package dev.rosetta.budget;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Budget counters in this process: the default, exact for a single replica.
 *
 * <p>Implementation notes: one cell per counter, each guarded by its own monitor held for a few
 * arithmetic operations. A reservation takes its holds one after the other and gives back what it
 * took if a later one refuses (as {@code InProcessLimiter} does), so no two monitors are held at
 * once. A counter seen for the first time in this process is first loaded with the period's spend
 * recorded in the ledger ({@link LedgerSpend}), so a restart does not reset spend: the requests that find
 * it loading wait for that one query (once per owner and period), the rest never wait.
 */
public final class InProcessBudgets implements BudgetBook {

    /** Every owner's spend the ledger holds over {@code [from, to)}, by key id or tenant name, nano-USD. */
    @FunctionalInterface
    public interface Poll {
        CompletableFuture<java.util.Map<String, Long>> spent(String kind, long from, long to);
    }

    private final ConcurrentHashMap<String, Cell> cells = new ConcurrentHashMap<>();
    private final LedgerSpend seed;

    public InProcessBudgets(LedgerSpend seed) {
        this.seed = seed;
    }

    public InProcessBudgets() {
        this(LedgerSpend.NONE);
    }

    @Override
    public Future<Verdict> reserve(List<Hold> holds, long nowMillis) {
        Cell[] cs = cells(holds, nowMillis);
        CompletableFuture<?> loading = loading(cs);
        if (loading == null) {
            return Future.succeededFuture(decide(holds, cs));
        }
        return later(loading, () -> decide(holds, cs));
    }

    /** The decision once every cell is loaded: synchronous. */
    private static Verdict decide(List<Hold> holds, Cell[] cs) {
        int n = holds.size();
        Spend[] out = new Spend[n];
        for (int i = 0; i < n; i++) {
            Hold h = holds.get(i);
            Spend s = cs[i].take(h);
            if (s == null) {
                for (int j = 0; j < i; j++) {
                    cs[j].giveBack(holds.get(j).cost());
                }
                List<Spend> spends = new ArrayList<>(n);
                for (int j = 0; j < n; j++) {
                    spends.add(cs[j].peek());
                }
                return new Verdict(i, spends, java.util.Optional.empty());
            }
            out[i] = s;
        }
        return new Verdict(-1, List.of(out), java.util.Optional.empty());
    }

    @Override
    public Future<List<Spend>> settle(List<Hold> holds, long actualNanos, long nowMillis) {
        List<Spend> out = new ArrayList<>(holds.size());
        for (Hold h : holds) {
            Cell c = cells.get(h.counter());
            out.add(c == null ? Spend.ZERO : c.settle(h.cost(), actualNanos));
        }
        return Future.succeededFuture(out);
    }

    @Override
    public Future<Spend> peek(Hold hold, long nowMillis) {
        Cell[] cs = cells(List.of(hold), nowMillis);
        CompletableFuture<?> loading = loading(cs);
        return loading == null ? Future.succeededFuture(cs[0].peek()) : later(loading, cs[0]::peek);
    }

    /**
     * Raises each current counter to the spend the ledger holds for it, when that is higher: what
     * other replicas sharing the ledger's store have spent (once their records are written). One
     * query per kind and period, however many owners. Used without Redis, every second, when the
     * store is shared (PostgreSQL).
     */
    public CompletableFuture<Void> refresh(Poll poll, long now) {
        java.util.Map<String, List<Cell>> groups = new java.util.HashMap<>();
        cells.values().forEach(c -> {
            if (c.end > now && c.loaded.isDone()) {
                groups.computeIfAbsent(c.kind + "\n" + c.start + "\n" + c.end, k -> new ArrayList<>()).add(c);
            }
        });
        List<CompletableFuture<?>> all = new ArrayList<>();
        groups.forEach((k, cs) -> {
            Cell first = cs.get(0);
            all.add(poll.spent(first.kind, first.start, first.end).thenAccept(spent -> {
                for (Cell c : cs) {
                    Long v = spent.get(c.id);
                    if (v != null) {
                        c.atLeast(v);
                    }
                }
            }).exceptionally(e -> null));
        });
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    private Cell[] cells(List<Hold> holds, long now) {
        Cell[] cs = new Cell[holds.size()];
        for (int i = 0; i < cs.length; i++) {
            Hold h = holds.get(i);
            Cell known = cells.get(h.counter());
            if (known != null) {
                cs[i] = known;
                continue;
            }
            // a new counter, once per owner and period: past periods' counters go (an hour after their end,
            // so requests still in flight across the boundary settle into theirs)
            cells.values().removeIf(c -> c.end < now - 3_600_000L);
            cs[i] = cells.computeIfAbsent(h.counter(), k -> {
                Cell c = new Cell(h);
                c.load(seed.spent(h.kind(), h.id(), h.window().start(), h.window().end()));
                return c;
            });
        }
        return cs;
    }

    /** Null when every cell is loaded (the common case: no allocation). */
    private static CompletableFuture<?> loading(Cell[] cs) {
        CompletableFuture<?> out = null;
        for (Cell c : cs) {
            if (!c.loaded.isDone()) {
                out = out == null ? c.loaded : CompletableFuture.allOf(out, c.loaded);
            }
        }
        return out;
    }

    private static <T> Future<T> later(CompletableFuture<?> loading, java.util.function.Supplier<T> then) {
        Context ctx = Vertx.currentContext();
        Promise<T> p = Promise.promise();
        loading.whenComplete((v, e) -> {
            Runnable r = () -> p.complete(then.get());
            if (ctx == null) {
                r.run();
            } else {
                ctx.runOnContext(x -> r.run());
            }
        });
        return p.future();
    }

    /** One counter: spend and reservations of one owner in one period. */
    private static final class Cell {
        private final CompletableFuture<Void> loaded = new CompletableFuture<>();
        private final String kind;
        private final String id;
        private final long start;
        private final long end;
        private long spent;
        private long reserved;

        Cell(Hold h) {
            this.kind = h.kind();
            this.id = h.id();
            this.start = h.window().start();
            this.end = h.window().end();
        }

        synchronized void atLeast(long ledgerSpent) {
            spent = Math.max(spent, ledgerSpent);
        }

        void load(CompletableFuture<Long> seeded) {
            seeded.whenComplete((v, e) -> {
                synchronized (this) {
                    // an unreadable ledger counts from zero rather than blocking the budget for good
                    spent += e == null && v != null ? v : 0;
                }
                loaded.complete(null);
            });
        }

        /** Takes {@code h}'s cost; null if a hard budget has no room for it. */
        synchronized Spend take(Hold h) {
            if (!h.soft() && (spent >= h.limit() || spent + reserved + h.cost() > h.limit())) {
                return null;
            }
            reserved += h.cost();
            return new Spend(spent, reserved);
        }

        synchronized void giveBack(long cost) {
            reserved = Math.max(0, reserved - cost);
        }

        synchronized Spend settle(long estimate, long actual) {
            reserved = Math.max(0, reserved - estimate);
            spent += actual;
            return new Spend(spent, reserved);
        }

        synchronized Spend peek() {
            return new Spend(spent, reserved);
        }
    }
}
