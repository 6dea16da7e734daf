package dev.rosetta.budget.redis;

import dev.rosetta.redis.Coalescer;
import dev.rosetta.redis.Leases;
import dev.rosetta.redis.LuaScript;
import dev.rosetta.redis.RedisClients;
import dev.rosetta.redis.RedisLink;
import dev.rosetta.budget.BudgetBook;
import dev.rosetta.budget.LedgerSpend;
import dev.rosetta.budget.Hold;
import dev.rosetta.budget.Spend;
import dev.rosetta.budget.Verdict;
import dev.rosetta.budget.WebhookAlerts;
import dev.rosetta.config.LimiterConfig;
import dev.rosetta.limits.FailurePolicy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budget counters in Redis, shared by every replica: a spend settled through one is seen by the
 * next reservation on any other (one script, no cache in between).
 *
 * <p>Implementation notes: a reservation runs {@code reserve.lua}, a settlement {@code settle.lua};
 * both atomic, so no two replicas interleave inside them. They are operations of one script, so the
 * gateway's {@link RedisLink} merges what one event-loop turn asks of them into one {@code EVALSHA},
 * written with the rate limits' in one round trip; settlements are deferred to the next write. A counter is a
 * hash {@code {spent, reserved}} named after its owner and period start, expiring a day after the
 * period ends ({@code total}: never). Every call is bounded by {@code redis_timeout}; past it, or with
 * Redis down, {@code limits_on_redis_failure} decides as it does for the limits. Alerts are
 * deduplicated across replicas with {@code SET NX}. A replica that dies holding reservations leaves
 * them counted until the period ends. A counter Redis does not hold when it is first asked for (a new
 * period, or a Redis that lost its data) records when it was born, and a second later the spend the
 * ledger holds for the period before that moment is added to it, once across replicas: a restarted
 * Redis does not give an owner its budget back.
 *
 * <p>A counter far from its budget also leases money to the event loop that asked ({@link Leases}):
 * the next requests of that loop whose counters all hold enough leased money are admitted at once,
 * with no round trip. Near the budget every request is decided in Redis. On an event loop, settlements
 * are summed per counter for 20 ms ({@link Coalescer#LINGER}) and leave as one call, whose answer (each counter's
 * spend after it) goes to every request summed into it, for its alerts.
 */
public final class RedisBudgets implements BudgetBook {

    private static final Logger LOG = LoggerFactory.getLogger(RedisBudgets.class);
    /** {@code reserve.lua}, {@code settle.lua} and {@code seed.lua}, merged by the link per event-loop turn. */
    private static final LuaScript COUNTERS = LuaScript.operations(RedisBudgets.class,
            "reserve", "reserve.lua", "settle", "settle.lua", "seed", "seed.lua");
    /** Longer than the ledger writer waits between batches, with room for a replica's clock to differ. */
    private static final java.time.Duration SEED_DELAY = java.time.Duration.ofSeconds(1);
    private static final long DAY = 86_400_000L;

    private final RedisLink redis;
    private final String prefix;
    private final FailurePolicy onFailure;
    private final LedgerSpend seed;
    private final java.time.Duration seedDelay;
    private final java.util.Set<String> seeding = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicLong failures = new AtomicLong();
    /** Leased money by counter (unprefixed); the snapshot is the counter as Redis last described it. */
    private final Leases<Spend> leases;
    /** Settlements on event loops, summed per counter until they leave. */
    private final Coalescer<CounterSum> settlements;

    public RedisBudgets(RedisLink redis, String prefix, FailurePolicy onFailure) {
        this(redis, prefix, onFailure, LedgerSpend.NONE, SEED_DELAY);
    }

    /** @param seedDelay how long after a counter's birth its ledger spend is read (tests shorten it) */
    public RedisBudgets(RedisLink redis, String prefix, FailurePolicy onFailure, LedgerSpend seed,
                        java.time.Duration seedDelay) {
        this(redis, prefix, onFailure, seed, seedDelay, LEASE_LIFE);
    }

    /** @param leaseLife how long money leased ahead ({@link Leases}) may go unused before it is given back */
    public RedisBudgets(RedisLink redis, String prefix, FailurePolicy onFailure, LedgerSpend seed,
                        java.time.Duration seedDelay, java.time.Duration leaseLife) {
        this.redis = redis;
        this.prefix = prefix;
        this.onFailure = onFailure;
        this.seed = seed;
        this.seedDelay = seedDelay;
        // leases first: at close, their hook gives the unused back into the settlements, whose hook then sends them
        this.leases = new Leases<>(redis, leaseLife, this::giveBack);
        this.settlements = new Coalescer<>(redis, Coalescer.LINGER, this::flush);
    }

    /** How long leased money may go unused before it is given back. */
    static final java.time.Duration LEASE_LIFE = java.time.Duration.ofSeconds(1);

    /** The leases this book holds, for tests. */
    public Leases<Spend> leases() {
        return leases;
    }

    /**
     * A lease's unused money goes back as a settlement of its counter with no cost (on the lease's event
     * loop), summed with the others; the leases' close hook runs before the settlements' ({@link RedisLink#beforeClose}).
     */
    private void giveBack(String counter, Leases.Lease<Spend> l, long nowMillis) {
        CounterSum sum = settlements.sum(counter, k -> new CounterSum());
        sum.estimate += l.available();
        sum.nowMillis = Math.max(sum.nowMillis, nowMillis);
    }

    /**
     * Admits the request from this event loop's leases if they hold every hold's cost, else null (ask
     * Redis); {@code held} gets each hold's live lease (null: none).
     */
    private Verdict fromLeases(List<Hold> holds, Leases.Lease<Spend>[] held, long nowMillis) {
        int n = holds.size();
        boolean covered = true;
        for (int i = 0; i < n; i++) {
            Leases.Lease<Spend> l = leases.live(holds.get(i).counter(), nowMillis);
            held[i] = l;
            covered &= l != null && l.available() >= holds.get(i).cost();
        }
        if (!covered) {
            return null;
        }
        List<Spend> spends = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            held[i].use(holds.get(i).cost());
            Spend then = held[i].snapshot();
            spends.add(new Spend(then.spent(), then.reserved() + held[i].used()));
        }
        return new Verdict(-1, spends, Optional.empty());
    }

    /**
     * @param seed the spend the ledger holds for an owner over a range, added to a counter Redis did not
     *     hold (a new period, or one Redis lost); {@link LedgerSpend#NONE} without a ledger
     */
    public static RedisBudgets create(RedisLink redis, LimiterConfig c, LedgerSpend seed) {
        return new RedisBudgets(redis, c.redisPrefix() + "budget:", c.onFailure(), seed, SEED_DELAY);
    }

    /**
     * Seeds a counter born in Redis ({@code seed.lua}) with the ledger's spend of its period before its
     * birth, once: {@code delay} after the birth, so that the records of requests that ended before it
     * (on any replica) are in the ledger, and at most once at a time per counter in this replica.
     */
    private void seed(Hold h, long born) {
        String counter = prefix + h.counter();
        if (seed == LedgerSpend.NONE || !seeding.add(counter)) {
            return;
        }
        long wait = seedDelay.toMillis(); // from now, not from born: that is the gateway's clock, which tests move
        java.util.concurrent.CompletableFuture.runAsync(() -> { },
                        java.util.concurrent.CompletableFuture.delayedExecutor(wait, java.util.concurrent.TimeUnit.MILLISECONDS))
                .thenCompose(x -> seed.spent(h.kind(), h.id(), h.window().start(), born))
                .thenCompose(spent -> redis.eval(COUNTERS, "seed", List.of(counter),
                        List.of(Long.toString(spent), Long.toString(ttl(h, born)), Long.toString(born))).toCompletionStage())
                .whenComplete((r, e) -> {
                    seeding.remove(counter);
                    if (e != null) {
                        LOG.warn("budget: could not add the ledger's spend to the counter {} ({}); the next request retries",
                                h.counter(), e.toString());
                    }
                });
    }

    @Override
    public boolean failurePolicyDenies() {
        return onFailure == FailurePolicy.DENY;
    }

    @Override
    public Optional<String> trouble() {
        return down.get() ? Optional.of("the budget counters in Redis are unreachable (" + failures.get()
                + " failed calls since start)") : Optional.empty();
    }

    @Override
    public Future<Verdict> reserve(List<Hold> holds, long nowMillis) {
        boolean leasable = !holds.isEmpty() && Leases.onEventLoop();
        @SuppressWarnings("unchecked")
        Leases.Lease<Spend>[] held = leasable ? new Leases.Lease[holds.size()] : null;
        if (leasable) {
            Verdict leased = fromLeases(holds, held, nowMillis);
            if (leased != null) {
                return Future.succeededFuture(leased);
            }
        }
        settlements.flushHere(); // the settlements of requests that ended before this one count first
        List<String> args = new ArrayList<>(2 + 5 * holds.size());
        args.add(Long.toString(nowMillis));
        args.add(Integer.toString(Leases.ROOM));
        for (int i = 0; i < holds.size(); i++) {
            Hold h = holds.get(i);
            args.add(Long.toString(h.limit()));
            args.add(Long.toString(h.cost()));
            args.add(h.soft() ? "1" : "0");
            args.add(Long.toString(ttl(h, nowMillis)));
            // more ahead only where this loop's lease cannot cover the request (none held, or used up)
            boolean topUp = leasable && (held[i] == null || held[i].available() < h.cost());
            args.add(topUp ? Long.toString(Math.max(1, h.cost()) * Leases.REQUESTS) : "0");
        }
        return call("reserve", false, holds, args, r -> {
            int refused = r.get(0).toInteger();
            List<Spend> spends = new ArrayList<>(holds.size());
            for (int i = 0; i < holds.size(); i++) {
                Spend spend = new Spend(r.get(1 + 4 * i).toLong(), r.get(2 + 4 * i).toLong());
                spends.add(spend);
                long born = r.get(3 + 4 * i).toLong();
                if (born > 0) {
                    seed(holds.get(i), born);
                }
                long leased = r.get(4 + 4 * i).toLong();
                if (leased > 0 && refused == 0 && leasable) {
                    leases.add(holds.get(i).counter(), leased, spend, nowMillis);
                }
            }
            return new Verdict(refused - 1, spends, Optional.empty());
        }, e -> new Verdict(-1, List.of(), Optional.of("the budget counters are unreachable")));
    }

    @Override
    public Future<List<Spend>> settle(List<Hold> holds, long actualNanos, long nowMillis) {
        if (!holds.isEmpty() && Leases.onEventLoop()) {
            // on an event loop: summed per counter with the loop's other settlements
            Promise<List<Spend>> out = Promise.promise();
            sum(holds, actualNanos, nowMillis).waiting.add(new Waiting(holds, out));
            return out.future();
        }
        return settleNow(holds, actualNanos, nowMillis);
    }

    @Override
    public void settleQuietly(List<Hold> holds, long actualNanos, long nowMillis) {
        if (!holds.isEmpty() && Leases.onEventLoop()) {
            sum(holds, actualNanos, nowMillis); // nobody waits for the answer: nothing kept for this request
            return;
        }
        settleNow(holds, actualNanos, nowMillis);
    }

    /** Adds one request's settlement to the loop's sums; returns the sum of its last hold's counter. */
    private CounterSum sum(List<Hold> holds, long actualNanos, long nowMillis) {
        CounterSum last = null;
        for (Hold h : holds) {
            last = settlements.sum(h.counter(), k -> new CounterSum());
            last.estimate += h.cost();
            last.actual += actualNanos;
            last.ttl = ttl(h, nowMillis);
            last.nowMillis = Math.max(last.nowMillis, nowMillis);
        }
        return last;
    }

    /** One settlement script call for this request alone (off an event loop). */
    private Future<List<Spend>> settleNow(List<Hold> holds, long actualNanos, long nowMillis) {
        List<String> args = new ArrayList<>(1 + 3 * holds.size());
        args.add(Long.toString(nowMillis));
        for (Hold h : holds) {
            args.add(Long.toString(h.cost()));
            args.add(Long.toString(actualNanos));
            args.add(Long.toString(ttl(h, nowMillis)));
        }
        return call("settle", true, holds, args, r -> {
            List<Spend> out = new ArrayList<>(holds.size());
            for (int i = 0; i < holds.size(); i++) {
                out.add(new Spend(r.get(2 * i).toLong(), r.get(2 * i + 1).toLong()));
            }
            return out;
        }, e -> java.util.Collections.nCopies(holds.size(), Spend.ZERO));
    }

    /** What the requests that ended since the last flush owe one counter, and who waits for its answer. */
    private static final class CounterSum {
        long estimate;
        long actual;
        long ttl;
        long nowMillis;
        final List<Waiting> waiting = new ArrayList<>(4);
    }

    /** A request's settlement waiting for the spends of its counters. */
    private record Waiting(List<Hold> holds, Promise<List<Spend>> promise) {
    }

    /** One settlement for every counter the loop's requests touched since the last flush. */
    private void flush(java.util.Map<String, CounterSum> sums) {
        List<String> keys = new ArrayList<>(sums.size());
        List<String> args = new ArrayList<>(1 + 3 * sums.size());
        args.add("0");
        long now = 0;
        for (java.util.Map.Entry<String, CounterSum> e : sums.entrySet()) {
            CounterSum sum = e.getValue();
            now = Math.max(now, sum.nowMillis);
            keys.add(prefix + e.getKey());
            args.add(Long.toString(sum.estimate));
            args.add(Long.toString(sum.actual));
            args.add(Long.toString(sum.ttl));
        }
        args.set(0, Long.toString(now));
        redis.evalLater(COUNTERS, "settle", keys, args).onComplete(ar -> {
            if (ar.succeeded()) {
                recovered();
            } else {
                failed(ar.cause());
            }
            if (sums.values().stream().allMatch(sum -> sum.waiting.isEmpty())) {
                return; // no alerts configured: nobody waits for the spends
            }
            java.util.Map<String, Spend> after = new java.util.HashMap<>();
            if (ar.succeeded()) {
                int i = 0;
                for (String counter : sums.keySet()) {
                    after.put(counter, new Spend(ar.result().get(2 * i).toLong(), ar.result().get(2 * i + 1).toLong()));
                    i++;
                }
            }
            for (CounterSum sum : sums.values()) {
                for (Waiting w : sum.waiting) {
                    List<Spend> spends = new ArrayList<>(w.holds().size());
                    for (Hold h : w.holds()) {
                        spends.add(after.getOrDefault(h.counter(), Spend.ZERO));
                    }
                    w.promise().complete(spends);
                }
            }
        });
    }

    private void recovered() {
        if (down.get() && down.compareAndSet(true, false)) {
            LOG.info("budget counters in Redis reachable again");
        }
    }

    private void failed(Throwable cause) {
        failures.incrementAndGet();
        if (down.compareAndSet(false, true)) {
            LOG.warn("budget counters in Redis unreachable ({}); requests are {} until it answers again",
                    cause.toString(), onFailure == FailurePolicy.ALLOW ? "served without budgets" : "refused with 503");
        }
    }

    @Override
    public Future<Spend> peek(Hold hold, long nowMillis) {
        Context ctx = Vertx.currentContext();
        Promise<Spend> out = Promise.promise();
        redis.send(Request.cmd(Command.HMGET).arg(prefix + hold.counter()).arg("spent").arg("reserved"))
                .onComplete(ar -> RedisClients.onContext(ctx, () -> out.complete(ar.failed() ? Spend.ZERO
                        : new Spend(num(ar.result().get(0)), num(ar.result().get(1))))));
        return out.future();
    }

    /** Claims an alert once across replicas: {@code SET NX} on its name, kept until the period has ended. */
    public WebhookAlerts.Dedup deduplicator() {
        return (name, untilMillis, nowMillis) -> {
                long px = untilMillis == Long.MAX_VALUE ? 0 : Math.max(1000, untilMillis - nowMillis + DAY);
            Request r = Request.cmd(Command.SET).arg(prefix + "alert:" + name).arg("1").arg("NX");
            if (px > 0) {
                r.arg("PX").arg(px);
            }
            return redis.send(r).map(res -> res != null && "OK".equals(res.toString()));
        };
    }

    public void close() {
        // the link is the gateway's, shared with the limits and the cache: it closes it
    }

    private static long num(Response r) {
        return r == null ? 0 : r.toLong();
    }

    private static long ttl(Hold h, long now) {
        return h.window().end() == Long.MAX_VALUE ? 0 : Math.max(1000, h.window().end() - now + DAY);
    }

    private <T> Future<T> call(String op, boolean deferred, List<Hold> holds, List<String> args,
                               java.util.function.Function<Response, T> ok,
                               java.util.function.Function<Throwable, T> failed) {
        Context ctx = Vertx.currentContext();
        Promise<T> out = Promise.promise();
        List<String> keys = new ArrayList<>(holds.size());
        for (Hold h : holds) {
            keys.add(prefix + h.counter());
        }
        Future<Response> sent = deferred ? redis.evalLater(COUNTERS, op, keys, args) : redis.eval(COUNTERS, op, keys, args);
        sent.onComplete(ar -> RedisClients.onContext(ctx, () -> {
            if (ar.succeeded()) {
                recovered();
                out.complete(ok.apply(ar.result()));
            } else {
                failed(ar.cause());
                out.complete(failed.apply(ar.cause()));
            }
        }));
        return out.future();
    }

}
