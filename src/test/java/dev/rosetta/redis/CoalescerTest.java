package dev.rosetta.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.budget.Budget;
import dev.rosetta.budget.Hold;
import dev.rosetta.budget.LedgerSpend;
import dev.rosetta.budget.Spend;
import dev.rosetta.budget.Verdict;
import dev.rosetta.budget.redis.RedisBudgets;
import dev.rosetta.limits.Bucket;
import dev.rosetta.limits.Charge;
import dev.rosetta.limits.Decision;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.limits.Reservation;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Settlements made on an event loop are summed per counter and leave together, against the real Redis:
 * one write for many requests, and the counters end exactly where one settlement per request would
 * have left them.
 */
class CoalescerTest {

    private static final long MINUTE = 60_000;
    private Vertx vertx;
    private RedisLink link;
    private String prefix;
    private final long now = 1_000_000;

    @BeforeEach
    void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        prefix = RedisTestServer.PREFIX + "coalesce:" + UUID.randomUUID() + ":";
    }

    @AfterEach
    void close() {
        if (vertx != null) {
            link.close().await();
            vertx.close().await();
        }
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aHundredTokenSettlementsOnOneLoopLeaveAsOneCallAndCountExactly() throws Exception {
        RedisLimiter limiter = new RedisLimiter(link, prefix, Duration.ofMinutes(15), FailurePolicy.DENY,
                Duration.ofMinutes(1));
        // 6000 tokens a minute: too small for leases (each request is decided in Redis), and settled exactly
        Bucket tpm = new Bucket("key:k1:tpm:6000", Bucket.Unit.TOKENS, 6000, MINUTE);
        Context ctx = vertx.getOrCreateContext();
        List<Reservation> held = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = i;
            CompletableFuture<Decision> d = new CompletableFuture<>();
            ctx.runOnContext(v -> limiter.reserve(List.of(new Charge(tpm, 100)), "r" + n, now).onSuccess(d::complete));
            held.add(((Decision.Granted) d.get(10, TimeUnit.SECONDS)).reservation());
        }
        long writes = link.writes();
        CompletableFuture<Void> settled = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            for (Reservation r : held) {
                limiter.settle(r, 130, now); // 30 tokens more than reserved, each
            }
            settled.complete(null);
        });
        settled.get(10, TimeUnit.SECONDS);
        Thread.sleep(50);
        assertThat(link.writes() - writes).as("twenty settlements, one write").isEqualTo(1);
        // 20 × 130 = 2600 tokens used: an off-loop request (settled on its own) sees 6000 - 2600 - its 100
        Decision seen = await(limiter.reserve(List.of(new Charge(tpm, 100)), "seen", now));
        assertThat(((Decision.Granted) seen).quotas().get(0).remaining()).isEqualTo(6000 - 2600 - 100);
    }

    @Test
    void budgetSettlementsOnOneLoopLeaveAsOneCallAndEachRequestHearsItsCountersSpend() throws Exception {
        RedisBudgets book = new RedisBudgets(link, prefix + "budget:", FailurePolicy.DENY, LedgerSpend.NONE,
                Duration.ofSeconds(1), Duration.ofMinutes(1));
        Hold key = new Hold("key", "k2", new Budget.Window(0, Long.MAX_VALUE), 100_000, false, 1000);
        Hold tenant = new Hold("tenant", "t2", new Budget.Window(0, Long.MAX_VALUE), 1_000_000, false, 1000);
        Context ctx = vertx.getOrCreateContext();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<Verdict> v = new CompletableFuture<>();
            ctx.runOnContext(x -> book.reserve(List.of(key, tenant), now).onSuccess(v::complete));
            assertThat(v.get(10, TimeUnit.SECONDS).granted()).isTrue();
        }
        long writes = link.writes();
        List<Future<List<Spend>>> answers = new ArrayList<>();
        CompletableFuture<Void> settled = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            for (int i = 0; i < 10; i++) {
                answers.add(book.settle(List.of(key, tenant), 400, now));
            }
            settled.complete(null);
        });
        settled.get(10, TimeUnit.SECONDS);
        await(Future.all(new ArrayList<>(answers)));
        assertThat(link.writes() - writes).isEqualTo(1);
        // The tenant's counter, far from its budget, leased this loop money ahead once: a sixteenth of the room
        // left after the first request, less than 128 requests' worth here (the key's, near its own, lent
        // nothing, so every request still asked Redis, without topping the tenant's lease up again).
        long lease = (1_000_000 - 1000) / Leases.ROOM;
        for (Future<List<Spend>> a : answers) {
            assertThat(a.result()).containsExactly(new Spend(4000, 0), new Spend(4000, lease));
        }
        assertThat(await(book.peek(key, now))).isEqualTo(new Spend(4000, 0));
    }

    @Test
    void quietBudgetSettlementsLeaveAsOneCallAndCountExactlyWithNoAnswerKept() throws Exception {
        // what the budget stage sends without budget_alerts: nobody waits for the spends after it
        RedisBudgets book = new RedisBudgets(link, prefix + "budget:", FailurePolicy.DENY, LedgerSpend.NONE,
                Duration.ofSeconds(1), Duration.ofMinutes(1));
        Hold key = new Hold("key", "k3", new Budget.Window(0, Long.MAX_VALUE), 100_000, false, 1000);
        Context ctx = vertx.getOrCreateContext();
        for (int i = 0; i < 10; i++) {
            CompletableFuture<Verdict> v = new CompletableFuture<>();
            ctx.runOnContext(x -> book.reserve(List.of(key), now).onSuccess(v::complete));
            assertThat(v.get(10, TimeUnit.SECONDS).granted()).isTrue();
        }
        long writes = link.writes();
        CompletableFuture<Void> settled = new CompletableFuture<>();
        ctx.runOnContext(v -> {
            for (int i = 0; i < 10; i++) {
                book.settleQuietly(List.of(key), 250, now);
            }
            settled.complete(null);
        });
        settled.get(10, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (link.writes() == writes && System.nanoTime() < deadline) {
            Thread.sleep(5); // the sum leaves after the coalescer's linger
        }
        Thread.sleep(200); // time for any further write to go out
        assertThat(link.writes() - writes).as("ten settlements, one write").isEqualTo(1);
        assertThat(await(book.peek(key, now))).as("ten settlements of 250, the reservations all given back")
                .isEqualTo(new Spend(2500, 0));
    }
}
