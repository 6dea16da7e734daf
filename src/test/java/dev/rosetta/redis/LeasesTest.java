package dev.rosetta.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.budget.Budget;
import dev.rosetta.budget.Hold;
import dev.rosetta.budget.Spend;
import dev.rosetta.budget.Verdict;
import dev.rosetta.budget.redis.RedisBudgets;
import dev.rosetta.budget.LedgerSpend;
import dev.rosetta.limits.Bucket;
import dev.rosetta.limits.Charge;
import dev.rosetta.limits.Decision;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.limits.redis.RedisLimiter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leases against the real Redis: a counter far from its limit lets an event loop admit the next requests
 * without a round trip, a counter near it decides every request in Redis, no replica ever admits more
 * than the limit, and unused units go back (after their life, and when the link closes).
 */
class LeasesTest {

    private static final long MINUTE = 60_000;
    private Vertx vertx;
    private RedisLink link;
    private String prefix;
    private long now;

    @BeforeEach
    void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        prefix = RedisTestServer.PREFIX + "leases:" + UUID.randomUUID() + ":";
        now = 1_000_000; // the gateway's clock, as the limiter contract sets it
    }

    @AfterEach
    void close() {
        if (vertx != null) {
            link.close().await();
            vertx.close().await();
        }
    }

    private RedisLimiter limiter(RedisLink on, Duration life) {
        return new RedisLimiter(on, prefix, Duration.ofMinutes(15), FailurePolicy.DENY, life);
    }

    /** Runs {@code call} on {@code ctx}'s event loop and waits for the future it returns. */
    private static <T> T on(Context ctx, Supplier<Future<T>> call) throws Exception {
        CompletableFuture<T> out = new CompletableFuture<>();
        ctx.runOnContext(v -> call.get().onComplete(ar -> {
            if (ar.succeeded()) {
                out.complete(ar.result());
            } else {
                out.completeExceptionally(ar.cause());
            }
        }));
        return out.get(10, TimeUnit.SECONDS);
    }

    /** Runs {@code call} on {@code ctx}'s event loop: whether its future was complete when it returned. */
    private static boolean answeredAtOnce(Context ctx, Supplier<Future<?>> call) throws Exception {
        CompletableFuture<Boolean> out = new CompletableFuture<>();
        ctx.runOnContext(v -> out.complete(call.get().isComplete()));
        return out.get(10, TimeUnit.SECONDS);
    }

    private static List<Charge> charges(Bucket... buckets) {
        List<Charge> out = new ArrayList<>();
        for (Bucket b : buckets) {
            out.add(new Charge(b, b.unit() == Bucket.Unit.TOKENS ? 100 : 1));
        }
        return out;
    }

    @Test
    void aBucketFarFromItsLimitLeasesUnitsThatAdmitTheNextRequestsWithoutARoundTrip() throws Exception {
        RedisLimiter limiter = limiter(link, Duration.ofMinutes(1));
        Bucket rpm = new Bucket("key:k1:rpm:100000", Bucket.Unit.REQUESTS, 100_000, MINUTE);
        Bucket tpm = new Bucket("key:k1:tpm:100000000", Bucket.Unit.TOKENS, 100_000_000, MINUTE);
        Context ctx = vertx.getOrCreateContext();
        Decision first = on(ctx, () -> limiter.reserve(charges(rpm, tpm), "r0", now));
        assertThat(first).isInstanceOf(Decision.Granted.class);
        long writes = link.writes();
        for (int i = 1; i < Leases.REQUESTS + 1; i++) {
            int n = i;
            assertThat(answeredAtOnce(ctx, () -> limiter.reserve(charges(rpm, tpm), "r" + n, now)))
                    .as("request %d is granted from the lease", n).isTrue();
        }
        assertThat(link.writes()).as("no Redis write for the leased requests").isEqualTo(writes);
        Decision next = on(ctx, () -> limiter.reserve(charges(rpm, tpm), "r-next", now));
        assertThat(link.writes()).as("the lease is used up: the next request asks Redis").isGreaterThan(writes);
        // Redis counts every unit leased: another replica (off the loops: no lease) sees them taken
        RedisLimiter other = limiter(link, Duration.ofMinutes(1));
        Decision seen = other.reserve(charges(rpm), "other", now).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        long granted = 1 + Leases.REQUESTS + 1;
        long leasedTwice = 2L * Leases.REQUESTS;
        assertThat(((Decision.Granted) seen).quotas().get(0).remaining())
                .isEqualTo(100_000 - (1 + leasedTwice + 1 + 1)); // the first, two leases, the next, the other's
        assertThat(next).isInstanceOf(Decision.Granted.class);
        // the headers of a leased grant count the lease's use down from what Redis said
        Decision.Granted leasedGrant = (Decision.Granted) on(ctx, () -> limiter.reserve(charges(rpm, tpm), "r-more", now));
        assertThat(leasedGrant.quotas().get(0).remaining()).isEqualTo(100_000 - granted - 1); // Redis said so after "next", less this one
    }

    @Test
    void nearTheLimitEveryRequestIsDecidedInRedisAndTwoReplicasAdmitExactlyTheLimit() throws Exception {
        // Two replicas (each its own link and event loop) asking in turn: leases while far from the
        // limit, none near it; together they admit exactly the limit, never more.
        RedisLink link2 = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        try {
            RedisLimiter a = limiter(link, Duration.ofMinutes(1));
            RedisLimiter b = limiter(link2, Duration.ofMinutes(1));
            Bucket rpm = new Bucket("key:k2:rpm:2000", Bucket.Unit.REQUESTS, 2000, MINUTE);
            Context ca = vertx.getOrCreateContext();
            Context cb = vertx.getOrCreateContext();
            int granted = 0;
            for (int i = 0; i < 2600; i++) {
                int n = i;
                RedisLimiter which = i % 2 == 0 ? a : b;
                Decision d = on(i % 2 == 0 ? ca : cb, () -> which.reserve(charges(rpm), "q" + n, now));
                granted += d instanceof Decision.Granted ? 1 : 0;
            }
            assertThat(granted).isEqualTo(2000);
            long writes = link.writes() + link2.writes();
            assertThat(writes).as("far from the limit, leases saved round trips").isLessThan(2600);
            // at rpm 10 no lease is ever given: ten of twenty, each decided in Redis
            Bucket small = new Bucket("key:k3:rpm:10", Bucket.Unit.REQUESTS, 10, MINUTE);
            int smallGranted = 0;
            for (int i = 0; i < 20; i++) {
                int n = i;
                long before = link.writes() + link2.writes();
                RedisLimiter which = i % 2 == 0 ? a : b;
                Decision d = on(i % 2 == 0 ? ca : cb, () -> which.reserve(charges(small), "s" + n, now));
                smallGranted += d instanceof Decision.Granted ? 1 : 0;
                assertThat(link.writes() + link2.writes()).as("request %d went to Redis", n).isGreaterThan(before);
            }
            assertThat(smallGranted).isEqualTo(10);
        } finally {
            link2.close().await();
        }
    }

    @Test
    void aLeaseIsASixteenthOfTheRoomLeftAtMostAndNoneBelowSixteenRequestsWorth() throws Exception {
        RedisLimiter limiter = limiter(link, Duration.ofMinutes(1));
        Context ctx = vertx.getOrCreateContext();
        Bucket thousand = new Bucket("key:k6:rpm:1000", Bucket.Unit.REQUESTS, 1000, MINUTE);
        on(ctx, () -> limiter.reserve(charges(thousand), "a", now));
        assertThat(limiter.leases().held().await()).as("999 left: a sixteenth").isEqualTo(999 / Leases.ROOM);
        RedisLimiter other = limiter(link, Duration.ofMinutes(1));
        Bucket small = new Bucket("key:k7:rpm:250", Bucket.Unit.REQUESTS, 250, MINUTE);
        on(ctx, () -> other.reserve(charges(small), "b", now));
        assertThat(other.leases().held().await()).as("249 left: a sixteenth is under 16 requests").isZero();
    }

    @Test
    void unusedUnitsGoBackAfterTheLeaseLifeAndWhenTheLinkCloses() throws Exception {
        RedisLimiter limiter = limiter(link, Duration.ofMillis(100));
        Bucket rpm = new Bucket("key:k4:rpm:100000", Bucket.Unit.REQUESTS, 100_000, MINUTE);
        Context ctx = vertx.getOrCreateContext();
        on(ctx, () -> limiter.reserve(charges(rpm), "a", now));
        assertThat(limiter.leases().held().await()).isEqualTo(Leases.REQUESTS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (limiter.leases().held().await() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(limiter.leases().held().await()).as("swept after its life").isZero();
        Thread.sleep(50); // the give-back is deferred: it leaves within the link's linger
        RedisLimiter other = limiter(link, Duration.ofMinutes(1));
        Decision seen = other.reserve(charges(rpm), "b", now).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(((Decision.Granted) seen).quotas().get(0).remaining()).as("only the two requests count")
                .isEqualTo(100_000 - 2);

        // a lease held when the link closes goes back with its last write
        RedisLimiter longLived = limiter(link, Duration.ofMinutes(1));
        Bucket tpm = new Bucket("key:k5:tpm:100000000", Bucket.Unit.TOKENS, 100_000_000, MINUTE);
        on(ctx, () -> longLived.reserve(charges(tpm), "c", now));
        assertThat(longLived.leases().held().await()).isEqualTo(100L * Leases.REQUESTS);
        link.close().await();
        RedisLink fresh = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        link = fresh;
        Decision after = limiter(fresh, Duration.ofMinutes(1)).reserve(charges(tpm), "d", now)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(((Decision.Granted) after).quotas().get(0).remaining()).isEqualTo(100_000_000 - 200);
    }

    private RedisBudgets budgets(RedisLink on, Duration life) {
        return new RedisBudgets(on, prefix + "budget:", FailurePolicy.DENY, LedgerSpend.NONE, Duration.ofSeconds(1), life);
    }

    private static Hold hold(String id, long limit, long cost) {
        return new Hold("key", id, new Budget.Window(0, Long.MAX_VALUE), limit, false, cost);
    }

    @Test
    void aBudgetFarFromItsLimitLeasesMoneyAndNearItTwoReplicasNeverSpendMoreThanItHolds() throws Exception {
        RedisBudgets book = budgets(link, Duration.ofMinutes(1));
        Context ctx = vertx.getOrCreateContext();
        long limit = 1_000_000_000_000L;
        Verdict first = on(ctx, () -> book.reserve(List.of(hold("b1", limit, 1000)), now));
        assertThat(first.granted()).isTrue();
        long writes = link.writes();
        for (int i = 0; i < Leases.REQUESTS; i++) {
            assertThat(answeredAtOnce(ctx, () -> book.reserve(List.of(hold("b1", limit, 1000)), now))).isTrue();
        }
        assertThat(link.writes()).isEqualTo(writes);
        // settle everything: the spend is exact, and what is still reserved is the unused lease only
        for (int i = 0; i < Leases.REQUESTS + 1; i++) {
            on(ctx, () -> book.settle(List.of(hold("b1", limit, 1000)), 700, now));
        }
        Spend s = on(ctx, () -> book.peek(hold("b1", limit, 1000), now));
        assertThat(s.spent()).isEqualTo(700L * (Leases.REQUESTS + 1));
        assertThat(s.reserved()).isEqualTo(0); // the first lease used up whole, none taken since

        // 50 requests at once through two replicas against a budget that covers 5: exactly 5 pass
        RedisLink link2 = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        try {
            RedisBudgets other = budgets(link2, Duration.ofMinutes(1));
            Context c2 = vertx.getOrCreateContext();
            List<Future<Verdict>> all = new ArrayList<>();
            CompletableFuture<Void> sent = new CompletableFuture<>();
            List<Future<Verdict>> fromB = new ArrayList<>();
            c2.runOnContext(v -> {
                for (int i = 0; i < 25; i++) {
                    fromB.add(other.reserve(List.of(hold("b2", 5000, 1000)), now));
                }
                sent.complete(null);
            });
            for (int i = 0; i < 25; i++) {
                all.add(on(ctx, () -> Future.succeededFuture(book.reserve(List.of(hold("b2", 5000, 1000)), now))));
            }
            sent.get(10, TimeUnit.SECONDS);
            all.addAll(fromB);
            Future.join(new ArrayList<>(all)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            long passed = all.stream().filter(f -> f.result().granted()).count();
            assertThat(passed).isEqualTo(5);
        } finally {
            link2.close().await();
        }
    }

    @Test
    void moneyLeasedAndUnusedGoesBackWhenTheLinkCloses() throws Exception {
        RedisBudgets book = budgets(link, Duration.ofMinutes(1));
        Context ctx = vertx.getOrCreateContext();
        long limit = 1_000_000_000_000L;
        Hold h = hold("b3", limit, 2000);
        on(ctx, () -> book.reserve(List.of(h), now));
        on(ctx, () -> book.settle(List.of(h), 1500, now));
        assertThat(book.leases().held().await()).isEqualTo(2000L * Leases.REQUESTS);
        link.close().await();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        Spend s = budgets(link, Duration.ofMinutes(1)).peek(h, now).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        assertThat(s).isEqualTo(new Spend(1500, 0));
    }
}
