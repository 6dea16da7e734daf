package dev.rosetta.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Settlements summed per counter on each event loop, and sent together: what many requests that ended
 * within {@code linger} of each other owe one counter leaves as one correction, in one call for all the
 * counters, instead of one call per request. Nothing waits on a settlement, so only how soon it reaches
 * Redis changes (within {@code linger}, plus the link's own linger), not what it does: sums of deltas
 * commute. Order with reservations is kept: a reservation that asks Redis sends its loop's sums first
 * ({@link #flushHere}).
 *
 * <p>Implementation notes: each event loop sums into its own map ({@link PerLoop}), flushed by a timer
 * on that loop; the link flushes every loop's sums before its last write
 * ({@link RedisLink#beforeClose}). A caller off the event loops gets null from {@link #sum} and
 * settles on its own.
 *
 * @param <T> the running sum of one counter
 */
public final class Coalescer<T> {

    /** Sends the sums of one flush (in the order their counters were first touched), on the loop that made them. */
    public interface Flush<T> {
        void flush(Map<String, T> sums);
    }

    /**
     * How long the settlements of one event loop are summed before they leave: what the governed benchmark
     * chose. Each flush is a write to Redis and a read of its answer, and on the benchmark's machine a
     * round trip costs the gateway 20 to 40 µs of CPU (the loopback's delivery is charged to the writer);
     * at 2 ms a loop flushed up to 500 times a second, about 1 µs per request at 13,000 requests a second.
     * 20 ms keeps what replicas see of each other's spend and token use within 20 ms (budgets promise 1 s).
     */
    public static final Duration LINGER = Duration.ofMillis(20);

    private final Vertx vertx;
    private final long lingerMillis;
    private final Flush<T> flush;
    private final PerLoop<Table> tables = new PerLoop<>(c -> new Table());

    public Coalescer(RedisLink link, Duration linger, Flush<T> flush) {
        this.vertx = link.vertx();
        this.lingerMillis = Math.max(1, linger.toMillis());
        this.flush = flush;
        link.beforeClose(this::flushAll);
    }

    /**
     * The caller's running sum for {@code key} (made by {@code create} if this flush has none yet), to
     * add to; null off the event loops.
     */
    public T sum(String key, Function<String, T> create) {
        Table t = tables.mine();
        if (t == null) {
            return null;
        }
        if (t.sums.isEmpty()) {
            vertx.setTimer(lingerMillis, id -> t.flush());
        }
        return t.sums.computeIfAbsent(key, create);
    }

    /**
     * Sends the caller's sums now, ahead of what it sends next: a reservation about to ask Redis calls
     * this first, so that it is decided after the settlements of the requests that ended before it on
     * this loop, as it would be without summing (the link keeps a loop's commands in order).
     */
    public void flushHere() {
        Table t = tables.existing();
        if (t != null) {
            t.flush();
        }
    }

    private Future<Void> flushAll() {
        return tables.onEach(t -> {
            t.flush();
            return null;
        }).mapEmpty();
    }

    /** The sums of one event loop. */
    private final class Table {
        Map<String, T> sums = new LinkedHashMap<>();

        void flush() {
            if (sums.isEmpty()) {
                return;
            }
            Map<String, T> out = sums;
            sums = new LinkedHashMap<>();
            flush.flush(out);
        }
    }
}
