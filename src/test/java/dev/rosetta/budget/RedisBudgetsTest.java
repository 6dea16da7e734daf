package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.budget.redis.RedisBudgets;
import dev.rosetta.limits.FailurePolicy;
import dev.rosetta.limits.RedisTestServer;
import dev.rosetta.redis.RedisLink;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class RedisBudgetsTest extends BudgetBookContract {

    private static Vertx vertx;
    private static RedisLink link;
    private static RedisBudgets book;

    @BeforeAll
    static void connect() {
        RedisTestServer.require();
        vertx = Vertx.vertx();
        link = RedisLink.open(vertx, RedisTestServer.URL, Duration.ofSeconds(2));
        book = new RedisBudgets(link, RedisTestServer.PREFIX + "budget:", FailurePolicy.DENY);
    }

    @AfterAll
    static void close() {
        if (vertx != null) {
            link.close().await();
            vertx.close();
        }
    }

    @Override
    protected BudgetBook book() {
        return book;
    }

    private static <T> T await(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** One ledger read: who asked for which range. */
    private record Read(String kind, String id, long from, long to) {
    }

    @Test
    void aCounterRedisDoesNotHoldIsRaisedOnceToWhatTheLedgerHoldsBeforeItsBirth() throws Exception {
        String prefix = RedisTestServer.PREFIX + "seeded:" + UUID.randomUUID() + ":";
        List<Read> reads = new CopyOnWriteArrayList<>();
        long[] ledger = {2 * USD};
        LedgerSpend seed = (kind, id, from, to) -> {
            reads.add(new Read(kind, id, from, to));
            return CompletableFuture.completedFuture(ledger[0]);
        };
        RedisBudgets a = new RedisBudgets(link, prefix, FailurePolicy.DENY, seed, Duration.ofMillis(20));
        RedisBudgets b = new RedisBudgets(link, prefix, FailurePolicy.DENY, seed, Duration.ofMillis(20));
        long now = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        Budget three = new Budget(3 * USD, Budget.Period.DAY, ZoneOffset.UTC, false);
        Hold half = BudgetGuard.hold("key", "k1", three, USD / 2, now);

        // a new counter: the request goes by Redis's count (0), and the ledger's $2 before it is added
        Verdict first = await(a.reserve(List.of(half), now));
        assertThat(first.granted()).isTrue();
        assertThat(first.spends().get(0).spent()).isZero();
        awaitSpent(a, half, now, 2 * USD);
        assertThat(reads).containsExactly(new Read("key", "k1", half.window().start(), now));

        // another replica finds it seeded: no second read, and the $2 counts there too
        Hold one = BudgetGuard.hold("key", "k1", three, USD, now + 1);
        Verdict refused = await(b.reserve(List.of(one), now + 1));
        assertThat(refused.refused()).isZero(); // 2 spent + 0.5 held + 1 > 3
        Thread.sleep(100);
        assertThat(reads).hasSize(1);

        // Redis loses the counter: the next request is born anew and raised to the ledger's spend again
        await(a.settle(List.of(half), USD / 2, now + 2));
        String key = prefix + half.counter();
        await(link.send(Request.cmd(Command.DEL).arg(key)));
        ledger[0] = 2 * USD + USD / 2;
        assertThat(await(b.reserve(List.of(BudgetGuard.hold("key", "k1", three, 0, now + 3)), now + 3)).granted()).isTrue();
        awaitSpent(b, half, now + 3, 2 * USD + USD / 2);
        assertThat(reads).hasSize(2);
        assertThat(reads.get(1).to()).isEqualTo(now + 3);
        assertThat(await(a.reserve(List.of(one), now + 4)).refused()).isZero(); // 2.5 + 1 > 3
    }

    @Test
    void aLedgerThatCannotBeReadLeavesTheCounterUnseededForTheNextRequestToRetry() throws Exception {
        String prefix = RedisTestServer.PREFIX + "unseeded:" + UUID.randomUUID() + ":";
        List<Read> reads = new CopyOnWriteArrayList<>();
        LedgerSpend seed = (kind, id, from, to) -> {
            reads.add(new Read(kind, id, from, to));
            return reads.size() == 1 ? CompletableFuture.failedFuture(new IllegalStateException("store away"))
                    : CompletableFuture.completedFuture(USD);
        };
        RedisBudgets a = new RedisBudgets(link, prefix, FailurePolicy.DENY, seed, Duration.ofMillis(20));
        long now = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        Hold h = BudgetGuard.hold("tenant", "t1", new Budget(3 * USD, Budget.Period.DAY, ZoneOffset.UTC, false), 0, now);
        await(a.reserve(List.of(h), now));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (reads.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        Thread.sleep(100); // the failed read has been handled
        await(a.reserve(List.of(h), now + 1));
        awaitSpent(a, h, now + 1, USD);
        assertThat(reads).hasSize(2);
    }

    @Test
    void aReadForACounterLostSinceIsNotAddedToItsSuccessorWhichIsSeededOnItsOwn() throws Exception {
        String prefix = RedisTestServer.PREFIX + "reborn:" + UUID.randomUUID() + ":";
        List<Read> reads = new CopyOnWriteArrayList<>();
        CompletableFuture<Long> slow = new CompletableFuture<>();
        LedgerSpend seed = (kind, id, from, to) -> {
            reads.add(new Read(kind, id, from, to));
            return reads.size() == 1 ? slow : CompletableFuture.completedFuture(USD);
        };
        RedisBudgets a = new RedisBudgets(link, prefix, FailurePolicy.DENY, seed, Duration.ofMillis(1));
        long now = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();
        Hold h = BudgetGuard.hold("key", "k9", new Budget(3 * USD, Budget.Period.DAY, ZoneOffset.UTC, false), 0, now);
        await(a.reserve(List.of(h), now)); // born at now; its read hangs
        while (reads.isEmpty()) {
            Thread.sleep(5);
        }
        await(link.send(Request.cmd(Command.DEL).arg(prefix + h.counter()))); // lost meanwhile
        await(a.reserve(List.of(h), now + 5)); // born again at now + 5
        slow.complete(2 * USD); // the read for the first birth arrives: not for this counter
        Thread.sleep(100);
        assertThat(await(a.peek(h, now + 5)).spent()).isZero();
        await(a.reserve(List.of(h), now + 6)); // the next request seeds the counter for its own birth
        awaitSpent(a, h, now + 6, USD);
        assertThat(reads).extracting(Read::to).containsExactly(now, now + 5);
    }

    private static void awaitSpent(RedisBudgets book, Hold h, long now, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        long spent = -1;
        while (System.nanoTime() < deadline) {
            spent = await(book.peek(h, now)).spent();
            if (spent == expected) {
                return;
            }
            Thread.sleep(10);
        }
        assertThat(spent).isEqualTo(expected);
    }
}
