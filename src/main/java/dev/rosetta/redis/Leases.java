package dev.rosetta.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Units of shared counters in Redis that this replica took ahead of its requests: a lease. A counter far
 * from its limit gives a replica that asks for a request's units up to {@link #REQUESTS} requests' worth
 * more, in the same atomic script: a {@link #ROOM}th of the room it has left, at most that, and nothing when
 * that is less than an eighth of it (16 requests' worth, so below 256 requests' worth of room); the next
 * requests on that event loop are then admitted from the lease, without a round trip. The counter in
 * Redis already holds the leased units, so no replica can admit more than the limit; what a lease costs
 * is the other way: while a replica holds units unused, another may be refused them. That is bounded:
 * leases are given only far from the limit (near it, every request is decided in Redis, exactly), they
 * are small against the room left, and a lease unused after {@code life} is given back.
 *
 * <p>Settlement is untouched by leases: a request admitted from one settles like any other (its units
 * moved from the lease to the request, both already counted in Redis).
 *
 * <p>Implementation notes: each event loop keeps its own leases ({@link PerLoop}: a map touched only
 * by its thread), swept by a timer on that loop while it holds any. A caller off the event loops gets no lease.
 * Every lease is given back when the link closes ({@link RedisLink#beforeClose}), before its last write.
 *
 * @param <S> what the counter's answer said when the lease was taken, for the headers and warnings of
 *     requests admitted from it
 */
public final class Leases<S> {

    /**
     * A lease is at most this many times the units of the request that took it. Each top-up is a round
     * trip, which on the benchmark's machine costs the gateway 20 to 40 µs of CPU: at 32, a request with a
     * key's and a tenant's counters paid about 1 µs for it; at 128, a quarter of that.
     */
    public static final int REQUESTS = 128;
    /** A lease is at most this fraction (1/ROOM) of the room the counter has left after it. */
    public static final int ROOM = 16;

    /** Returns the unused units of a lease to its counter (a deferred Redis call). */
    public interface GiveBack<S> {
        void giveBack(String key, Lease<S> lease, long nowMillis);
    }

    /** Units of one counter held by one event loop. */
    public static final class Lease<S> {
        long available;
        long taken;
        long deadlineNanos;
        long tookAtMillis;
        S snapshot;

        /** Units still to give to requests. */
        public long available() {
            return available;
        }

        /** Units requests have used of it since the counter last answered for it. */
        public long used() {
            return taken - available;
        }

        /** The gateway's time when the counter last answered for it. */
        public long tookAtMillis() {
            return tookAtMillis;
        }

        /** What the counter said when it last answered for it. */
        public S snapshot() {
            return snapshot;
        }

        /** Takes {@code units} for a request. */
        public void use(long units) {
            available -= units;
        }
    }

    private final Vertx vertx;
    private final long lifeNanos;
    private final GiveBack<S> giveBack;
    private final PerLoop<Table> tables = new PerLoop<>(c -> new Table());

    /**
     * @param life how long a lease may go unrenewed before its unused units go back
     * @param giveBack returns a lease's unused units through {@code link}
     */
    public Leases(RedisLink link, java.time.Duration life, GiveBack<S> giveBack) {
        this.vertx = link.vertx();
        this.lifeNanos = life.toNanos();
        this.giveBack = giveBack;
        link.beforeClose(this::giveBackAll);
    }

    /** Whether the caller may hold leases: it runs on an event loop. */
    public static boolean onEventLoop() {
        return PerLoop.onEventLoop();
    }

    /**
     * The caller's live lease of {@code key}, or null (none, expired, or off the event loops). An expired
     * lease found here is given back.
     */
    public Lease<S> live(String key, long nowMillis) {
        Table t = tables.existing();
        if (t == null) {
            return null;
        }
        Lease<S> l = t.leases.get(key);
        if (l == null) {
            return null;
        }
        t.lastNow = nowMillis;
        if (System.nanoTime() - l.deadlineNanos >= 0) {
            t.leases.remove(key);
            giveBackUnused(key, l, nowMillis);
            return null;
        }
        return l;
    }

    /** Adds {@code units} the counter granted to the caller's lease of {@code key}, renewing it. */
    public void add(String key, long units, S snapshot, long nowMillis) {
        Table t = tables.mine();
        if (t == null) {
            throw new IllegalStateException("leases are held on event loops only");
        }
        Lease<S> l = t.leases.computeIfAbsent(key, k -> new Lease<>());
        l.available += units;
        l.taken = l.available; // used() counts from this answer on
        l.deadlineNanos = System.nanoTime() + lifeNanos;
        l.tookAtMillis = nowMillis;
        l.snapshot = snapshot;
        t.lastNow = nowMillis;
        t.sweep();
    }

    /** Units held unused in leases on every event loop (each read on its loop); for tests. */
    public Future<Long> held() {
        return tables.onEach(t -> {
            long n = 0;
            for (Lease<S> l : t.leases.values()) {
                n += Math.max(0, l.available);
            }
            return n;
        }).map(each -> each.stream().mapToLong(Long::longValue).sum());
    }

    /** Gives every lease back, each on its event loop; completes when all are handed to the link. */
    public Future<Void> giveBackAll() {
        return tables.onEach(t -> {
            t.giveBack(t.lastNow, true);
            return null;
        }).mapEmpty();
    }

    private void giveBackUnused(String key, Lease<S> l, long nowMillis) {
        if (l.available > 0) {
            giveBack.giveBack(key, l, nowMillis);
        }
    }

    /** The leases of one event loop. */
    private final class Table {
        final Map<String, Lease<S>> leases = new HashMap<>();
        long lastNow;
        boolean sweeping;

        void sweep() {
            if (sweeping) {
                return;
            }
            sweeping = true;
            long every = Math.max(1, TimeUnit.NANOSECONDS.toMillis(lifeNanos) / 2);
            vertx.setTimer(every, id -> {
                sweeping = false;
                giveBack(lastNow, false);
                if (!leases.isEmpty()) {
                    sweep();
                }
            });
        }

        void giveBack(long nowMillis, boolean everything) {
            long now = System.nanoTime();
            for (Iterator<Map.Entry<String, Lease<S>>> it = leases.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Lease<S>> e = it.next();
                if (everything || now - e.getValue().deadlineNanos >= 0) {
                    it.remove();
                    giveBackUnused(e.getKey(), e.getValue(), nowMillis);
                }
            }
        }
    }
}
