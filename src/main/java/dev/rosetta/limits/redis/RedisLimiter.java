package dev.rosetta.limits.redis;

import dev.rosetta.redis.Coalescer;
import dev.rosetta.redis.Leases;
import dev.rosetta.redis.LuaScript;
import dev.rosetta.redis.RedisClients;
import dev.rosetta.redis.RedisLink;
import dev.rosetta.limits.Bucket;
import dev.rosetta.limits.Charge;
import dev.rosetta.limits.Decision;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.Limiter;
import dev.rosetta.limits.Quota;
import dev.rosetta.limits.Reservation;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters in Redis, shared by every replica: exact across them.
 *
 * <p>Implementation notes: a reservation runs {@code reserve.lua} (atomic, so no two replicas
 * interleave inside it), a settlement {@code settle.lua}, skipped when there is nothing to correct, and
 * deferred: it leaves with the next write. Both are operations of one script, so the {@link RedisLink}
 * merges what one event-loop turn asks of them (the reservations of the requests that came in, the
 * settlements of those that ended) into one {@code EVALSHA}, written with the budgets' in one round trip. The time is the gateway's, passed
 * as an argument (not Redis {@code TIME}): tests move it, and the script stays deterministic. Every call
 * is bounded by the link's timeout; past it, or when Redis is down, {@link FailurePolicy} decides (a
 * script that timed out may still have run, so a timed-out reservation can count without its request
 * having been served: the limit errs on the safe side). Results are handed back on the caller's context.
 *
 * <p>A rate bucket far from its limit also leases units to the event loop that asked ({@link Leases}):
 * the next requests of that loop whose buckets all hold enough leased units are granted at once, with no
 * round trip; their settlements go to Redis as any other. Concurrency buckets are never leased: a request
 * with one is always decided in Redis. The headers of a request granted from a lease report the bucket
 * as Redis last described it, less what the lease gave since. On an event loop, the settlements of rate
 * buckets are summed per bucket for {@link Coalescer#LINGER} and leave as one call.
 */
public final class RedisLimiter implements Limiter {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLimiter.class);
    /** {@code reserve.lua} and {@code settle.lua}, merged by the link per event-loop turn. */
    private static final LuaScript COUNTERS = LuaScript.operations(RedisLimiter.class,
            "reserve", "reserve.lua", "settle", "settle.lua");

    private final RedisLink redis;
    private final String prefix;
    private final long leaseMillis;
    private final FailurePolicy onFailure;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    /** Leased units of rate buckets, by bucket key (unprefixed); the snapshot is the bucket's quota then. */
    private final Leases<Quota> leases;
    /** Settlements of rate buckets on event loops, summed per bucket until they leave. */
    private final Coalescer<RateSum> settlements;

    /**
     * @param prefix put before every bucket key, so that deployments (and test runs) sharing a Redis stay apart
     * @param lease how long a concurrency slot survives a replica that died holding it
     */
    public RedisLimiter(RedisLink redis, String prefix, Duration lease, FailurePolicy onFailure) {
        this(redis, prefix, lease, onFailure, LEASE_LIFE);
    }

    /** @param leaseLife how long units leased ahead ({@link Leases}) may go unused before they are given back */
    public RedisLimiter(RedisLink redis, String prefix, Duration lease, FailurePolicy onFailure, Duration leaseLife) {
        this.redis = redis;
        this.prefix = prefix;
        this.leaseMillis = lease.toMillis();
        this.onFailure = onFailure;
        // leases first: at close, their hook gives the unused back into the settlements, whose hook then sends them
        this.leases = new Leases<>(redis, leaseLife, this::giveBack);
        this.settlements = new Coalescer<>(redis, Coalescer.LINGER, this::flush);
    }

    /** How long leased units may go unused before they are given back. */
    static final Duration LEASE_LIFE = Duration.ofSeconds(1);

    /** The leases this limiter holds, for tests. */
    public Leases<Quota> leases() {
        return leases;
    }

    /**
     * A lease's unused units go back as a settlement of its bucket (on the lease's event loop), summed with
     * the others; the leases' close hook runs before the settlements' ({@link RedisLink#beforeClose}).
     */
    private void giveBack(String key, Leases.Lease<Quota> l, long nowMillis) {
        RateSum sum = settlements.sum(key, k -> new RateSum(l.snapshot().bucket()));
        sum.delta -= l.available();
        sum.nowMillis = Math.max(sum.nowMillis, nowMillis);
    }

    /**
     * Loads the scripts, so that the first requests need no fallback round trip and find a connection
     * open. Never fails: an unreachable Redis is the request path's business ({@link FailurePolicy}).
     */
    public Future<Void> warm() {
        return redis.warm(Duration.ofSeconds(5), COUNTERS).otherwise(e -> {
                    LOG.warn("rate-limit counters in Redis unreachable at start ({})", e.toString());
                    return null;
                });
    }

    /** Calls that failed or timed out since start, for the readiness detail. */
    public long failures() {
        return failures.get();
    }

    @Override
    public java.util.Optional<String> trouble() {
        if (!down.get()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("the rate-limit counters in Redis are unreachable; requests are "
                + (onFailure == FailurePolicy.ALLOW ? "served without limits" : "refused with 503") + " ("
                + failures.get() + " failed calls since start)");
    }

    @Override
    public Future<Decision> reserve(List<Charge> charges, String lease, long nowMillis) {
        boolean leasable = leasable(charges);
        @SuppressWarnings("unchecked")
        Leases.Lease<Quota>[] held = leasable ? new Leases.Lease[charges.size()] : null;
        if (leasable) {
            Decision leased = fromLeases(charges, lease, held, nowMillis);
            if (leased != null) {
                return Future.succeededFuture(leased);
            }
        }
        settlements.flushHere(); // the settlements of requests that ended before this one count first
        List<String> args = new ArrayList<>(4 + 5 * charges.size());
        args.add(Long.toString(nowMillis));
        args.add(lease);
        args.add(Long.toString(leaseMillis));
        args.add(Integer.toString(Leases.ROOM));
        for (int i = 0; i < charges.size(); i++) {
            Charge c = charges.get(i);
            Bucket b = c.bucket();
            args.add(b.rate() ? "r" : "c");
            args.add(Long.toString(b.limit()));
            args.add(Long.toString(b.periodMillis()));
            args.add(Long.toString(c.cost()));
            // more units ahead only where this loop's lease cannot cover the request (none held, or used up)
            boolean topUp = leasable && (held[i] == null || held[i].available() < c.cost());
            args.add(topUp ? Long.toString(Math.max(1, c.cost()) * Leases.REQUESTS) : "0");
        }
        Context ctx = Vertx.currentContext();
        Promise<Decision> out = Promise.promise();
        redis.eval(COUNTERS, "reserve", keys(charges), args).onComplete(ar -> RedisClients.onContext(ctx, () -> {
            if (ar.succeeded()) {
                recovered();
                Decision d = decision(charges, lease, ar.result());
                if (leasable && d instanceof Decision.Granted g) {
                    for (int i = 0; i < charges.size(); i++) {
                        long leased = ar.result().get(4 + 3 * i).toLong();
                        if (leased > 0) {
                            leases.add(charges.get(i).bucket().key(), leased, g.quotas().get(i), nowMillis);
                        }
                    }
                }
                out.complete(d);
            } else {
                failed(ar.cause());
                out.complete(onFailure == FailurePolicy.ALLOW ? new Decision.Granted(Reservation.NONE, List.of())
                        : new Decision.Unavailable("the rate-limit counters are unreachable"));
            }
        }));
        return out.future();
    }

    /** Leases are held on event loops, for requests whose buckets are all rates. */
    private static boolean leasable(List<Charge> charges) {
        for (Charge c : charges) {
            if (!c.bucket().rate()) {
                return false;
            }
        }
        return !charges.isEmpty() && Leases.onEventLoop();
    }

    /**
     * Grants the request from this event loop's leases if they hold every charge, else null (ask Redis);
     * {@code held} gets each charge's live lease (null: none).
     */
    private Decision fromLeases(List<Charge> charges, String lease, Leases.Lease<Quota>[] held, long nowMillis) {
        int n = charges.size();
        boolean covered = true;
        for (int i = 0; i < n; i++) {
            Charge c = charges.get(i);
            Leases.Lease<Quota> l = leases.live(c.bucket().key(), nowMillis);
            held[i] = l;
            covered &= l != null && l.available() >= c.cost();
        }
        if (!covered) {
            return null;
        }
        List<Quota> quotas = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Charge c = charges.get(i);
            Leases.Lease<Quota> l = held[i];
            l.use(c.cost());
            Quota then = l.snapshot();
            long used = l.used();
            double interval = c.bucket().interval();
            long reset = Math.max(0, then.resetMillis() + (long) Math.ceil(used * interval) - (nowMillis - l.tookAtMillis()));
            quotas.add(new Quota(c.bucket(), Math.max(0, then.remaining() - used), reset));
        }
        return new Decision.Granted(new Reservation(charges, lease), quotas);
    }

    @Override
    public Future<Void> settle(Reservation reservation, long actualTokens, long nowMillis) {
        return settle(reservation, actualTokens, false, nowMillis);
    }

    @Override
    public Future<Void> cancel(Reservation reservation, long nowMillis) {
        return settle(reservation, 0, true, nowMillis);
    }

    /** {@code whole}: every charge is given back (a cancel); else tokens buckets are corrected to {@code actualTokens}. */
    private Future<Void> settle(Reservation reservation, long actualTokens, boolean whole, long nowMillis) {
        if (!whole && leasable(reservation.charges())) {
            // rates only, on an event loop: summed per bucket with the loop's other settlements
            for (Charge c : reservation.charges()) {
                long delta = c.bucket().unit() == Bucket.Unit.TOKENS ? actualTokens - c.cost() : 0;
                if (delta != 0) {
                    RateSum sum = settlements.sum(c.bucket().key(), k -> new RateSum(c.bucket()));
                    sum.delta += delta;
                    sum.nowMillis = Math.max(sum.nowMillis, nowMillis);
                }
            }
            return Future.succeededFuture();
        }
        List<Charge> touched = new ArrayList<>(reservation.charges().size());
        List<String> args = new ArrayList<>();
        args.add(Long.toString(nowMillis));
        args.add(reservation.lease());
        for (Charge c : reservation.charges()) {
            Bucket b = c.bucket();
            long delta = whole ? -c.cost() : b.unit() == Bucket.Unit.TOKENS ? actualTokens - c.cost() : 0;
            if (b.unit() == Bucket.Unit.CONCURRENT || delta != 0) {
                touched.add(c);
                args.add(b.rate() ? "r" : "c");
                args.add(Double.toString(b.rate() ? (double) b.periodMillis() / b.limit() : 0));
                args.add(Long.toString(delta));
            }
        }
        if (touched.isEmpty()) {
            return Future.succeededFuture();
        }
        Context ctx = Vertx.currentContext();
        Promise<Void> out = Promise.promise();
        redis.evalLater(COUNTERS, "settle", keys(touched), args).onComplete(ar -> RedisClients.onContext(ctx, () -> {
            if (ar.failed()) {
                failed(ar.cause());
            }
            out.complete();
        }));
        return out.future();
    }

    /** What the requests that ended since the last flush owe one rate bucket. */
    private static final class RateSum {
        final Bucket bucket;
        long delta;
        long nowMillis;

        RateSum(Bucket bucket) {
            this.bucket = bucket;
        }
    }

    /** One settlement for every bucket the loop's requests touched since the last flush. */
    private void flush(java.util.Map<String, RateSum> sums) {
        List<String> keys = new ArrayList<>(sums.size());
        List<String> args = new ArrayList<>(2 + 3 * sums.size());
        args.add("0");
        args.add("");
        long now = 0;
        for (java.util.Map.Entry<String, RateSum> e : sums.entrySet()) {
            RateSum sum = e.getValue();
            now = Math.max(now, sum.nowMillis);
            if (sum.delta != 0) {
                keys.add(prefix + e.getKey());
                args.add("r");
                args.add(Double.toString(sum.bucket.interval()));
                args.add(Long.toString(sum.delta));
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        args.set(0, Long.toString(now));
        redis.evalLater(COUNTERS, "settle", keys, args).onComplete(ar -> {
            if (ar.failed()) {
                failed(ar.cause());
            }
        });
    }

    @Override
    public void close() {
        // the link is the gateway's, shared with the budgets and the cache: it closes it
    }

    private List<String> keys(List<Charge> charges) {
        List<String> keys = new ArrayList<>(charges.size());
        for (Charge c : charges) {
            keys.add(prefix + c.bucket().key());
        }
        return keys;
    }

    private static Decision decision(List<Charge> charges, String lease, Response r) {
        int refused = r.get(0).toInteger();
        long retry = r.get(1).toLong();
        List<Quota> quotas = new ArrayList<>(charges.size());
        for (int i = 0; i < charges.size(); i++) {
            quotas.add(new Quota(charges.get(i).bucket(), r.get(2 + 3 * i).toLong(), r.get(3 + 3 * i).toLong()));
        }
        if (refused == 0) {
            return new Decision.Granted(new Reservation(charges, lease), quotas);
        }
        return new Decision.Refused(charges.get(refused - 1), Math.max(retry, 0), retry < 0, quotas);
    }

    private void failed(Throwable e) {
        failures.incrementAndGet();
        if (down.compareAndSet(false, true)) {
            LOG.warn("rate-limit counters in Redis unreachable ({}); requests are {} until it answers again",
                    e.toString(), onFailure == FailurePolicy.ALLOW ? "served without limits" : "refused with 503");
        }
    }

    private void recovered() {
        if (down.get() && down.compareAndSet(true, false)) {
            LOG.info("rate-limit counters in Redis reachable again");
        }
    }
}
