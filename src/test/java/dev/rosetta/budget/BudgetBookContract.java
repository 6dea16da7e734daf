package dev.rosetta.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What every {@link BudgetBook} promises, run against the in-process counters and against the real
 * Redis. Each test uses owners of its own (a random id), and time is passed in, never read.
 */
abstract class BudgetBookContract {

    /** 1 USD, in the counters' unit. */
    static final long USD = 1_000_000_000L;
    static final long T0 = Instant.parse("2026-12-01T10:00:00Z").toEpochMilli();

    protected abstract BudgetBook book();

    private final String id = "k_" + UUID.randomUUID();

    private static <T> T await(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private Hold hold(String kind, String owner, long usd, Budget.Period period, ZoneId zone, boolean soft, long cost,
                      long now) {
        return BudgetGuard.hold(kind, owner, new Budget(usd * USD, period, zone, soft), cost, now);
    }

    private Hold day(long usd, long cost, long now) {
        return hold("key", id, usd, Budget.Period.DAY, ZoneOffset.UTC, false, cost, now);
    }

    @Test
    void reservesUntilTheBudgetIsHeldThenRefuses() {
        for (int i = 0; i < 5; i++) {
            Verdict v = await(book().reserve(List.of(day(5, USD, T0)), T0));
            assertThat(v.granted()).isTrue();
            assertThat(v.spends().get(0)).isEqualTo(new Spend(0, (i + 1) * USD));
        }
        Verdict refused = await(book().reserve(List.of(day(5, USD, T0)), T0));
        assertThat(refused.refused()).isEqualTo(0);
        assertThat(refused.spends().get(0)).isEqualTo(new Spend(0, 5 * USD));
    }

    @Test
    void settlementReplacesTheReservationWithTheRealCostDownAndUp() {
        Hold h = day(10, 4 * USD, T0);
        assertThat(await(book().reserve(List.of(h), T0)).granted()).isTrue();
        assertThat(await(book().settle(List.of(h), USD, T0))).containsExactly(new Spend(USD, 0));
        Hold h2 = day(10, USD, T0);
        assertThat(await(book().reserve(List.of(h2), T0)).granted()).isTrue();
        // a stream that ran past its estimate: the spend is what it cost
        assertThat(await(book().settle(List.of(h2), 3 * USD, T0))).containsExactly(new Spend(4 * USD, 0));
        assertThat(await(book().peek(day(10, 0, T0), T0))).isEqualTo(new Spend(4 * USD, 0));
    }

    @Test
    void aSpentBudgetRefusesEvenARequestOfUnknownPrice() {
        Hold h = day(2, USD, T0);
        await(book().reserve(List.of(h), T0));
        await(book().settle(List.of(h), 2 * USD, T0));
        assertThat(await(book().reserve(List.of(day(2, 0, T0)), T0)).refused()).isEqualTo(0);
    }

    @Test
    void anUnknownPriceReservesNothingAndPassesWhileMoneyIsLeft() {
        Verdict v = await(book().reserve(List.of(day(2, 0, T0)), T0));
        assertThat(v.granted()).isTrue();
        assertThat(v.spends().get(0)).isEqualTo(Spend.ZERO);
    }

    @Test
    void aRequestThatReservedNothingSettlesWhatItCost() {
        // an unpriced model, or the rest of a provider's API: nothing reserved, then settled (in Redis a
        // reservation of 0 to give back once reached HINCRBY as "-0", which it refuses)
        Hold nothing = day(2, 0, T0);
        assertThat(await(book().reserve(List.of(nothing), T0)).granted()).isTrue();
        assertThat(await(book().settle(List.of(nothing), 0, T0))).containsExactly(Spend.ZERO);
        assertThat(await(book().reserve(List.of(nothing), T0)).granted()).isTrue();
        assertThat(await(book().settle(List.of(nothing), 3 * USD, T0))).containsExactly(new Spend(3 * USD, 0));
        assertThat(await(book().reserve(List.of(nothing), T0)).refused()).isEqualTo(0);
    }

    @Test
    void allOrNothingAcrossKeyAndTenant() {
        String tenant = "t_" + UUID.randomUUID();
        Hold tenantFull = hold("tenant", tenant, 1, Budget.Period.MONTH, ZoneOffset.UTC, false, USD, T0);
        assertThat(await(book().reserve(List.of(tenantFull), T0)).granted()).isTrue();
        Hold key = day(10, USD, T0);
        Hold tenantAgain = hold("tenant", tenant, 1, Budget.Period.MONTH, ZoneOffset.UTC, false, USD, T0);
        Verdict v = await(book().reserve(List.of(key, tenantAgain), T0));
        assertThat(v.refused()).isEqualTo(1);
        // the key's budget took nothing
        assertThat(await(book().peek(day(10, 0, T0), T0))).isEqualTo(Spend.ZERO);
    }

    @Test
    void aSoftBudgetNeverRefusesButCounts() {
        Hold soft = hold("key", id, 1, Budget.Period.DAY, ZoneOffset.UTC, true, USD, T0);
        for (int i = 0; i < 3; i++) {
            assertThat(await(book().reserve(List.of(soft), T0)).granted()).isTrue();
            await(book().settle(List.of(soft), USD, T0));
        }
        assertThat(await(book().peek(soft, T0))).isEqualTo(new Spend(3 * USD, 0));
    }

    @Test
    void theDayRollsOverAtMidnightInTheBudgetsTimeZone() {
        ZoneId ny = ZoneId.of("America/New_York");
        // 2026-12-01 23:59:59 in New York is 04:59:59 UTC the next day
        long beforeMidnight = Instant.parse("2026-12-02T04:59:59Z").toEpochMilli();
        long afterMidnight = beforeMidnight + 1000;
        Hold h = hold("key", id, 1, Budget.Period.DAY, ny, false, USD, beforeMidnight);
        assertThat(h.window()).isEqualTo(new Budget.Window(Instant.parse("2026-12-01T05:00:00Z").toEpochMilli(),
                Instant.parse("2026-12-02T05:00:00Z").toEpochMilli()));
        await(book().reserve(List.of(h), beforeMidnight));
        await(book().settle(List.of(h), USD, beforeMidnight));
        assertThat(await(book().reserve(List.of(hold("key", id, 1, Budget.Period.DAY, ny, false, USD, beforeMidnight)),
                beforeMidnight)).granted()).isFalse();
        Verdict next = await(book().reserve(List.of(hold("key", id, 1, Budget.Period.DAY, ny, false, USD, afterMidnight)),
                afterMidnight));
        assertThat(next.granted()).isTrue();
        assertThat(next.spends().get(0)).isEqualTo(new Spend(0, USD));
    }

    @Test
    void weeksStartOnMondayAndMonthsOnTheFirstInTheTimeZone() {
        ZoneId tokyo = ZoneId.of("Asia/Tokyo");
        // Sunday 2026-12-06 23:30 in Tokyo, then Monday 00:30
        long sunday = Instant.parse("2026-12-06T14:30:00Z").toEpochMilli();
        long monday = Instant.parse("2026-12-06T15:30:00Z").toEpochMilli();
        Hold week = hold("key", id, 1, Budget.Period.WEEK, tokyo, false, USD, sunday);
        assertThat(Instant.ofEpochMilli(week.window().start())).isEqualTo(Instant.parse("2026-11-29T15:00:00Z"));
        await(book().reserve(List.of(week), sunday));
        await(book().settle(List.of(week), USD, sunday));
        assertThat(await(book().reserve(List.of(hold("key", id, 1, Budget.Period.WEEK, tokyo, false, USD, sunday)),
                sunday)).granted()).isFalse();
        assertThat(await(book().reserve(List.of(hold("key", id, 1, Budget.Period.WEEK, tokyo, false, USD, monday)),
                monday)).granted()).isTrue();
        // 2026-12-31 23:30 Tokyo → 2027-01-01 00:30 Tokyo: a new month
        long lastOfMonth = Instant.parse("2026-12-31T14:30:00Z").toEpochMilli();
        Hold month = hold("tenant", id, 1, Budget.Period.MONTH, tokyo, false, USD, lastOfMonth);
        assertThat(Instant.ofEpochMilli(month.window().end())).isEqualTo(Instant.parse("2026-12-31T15:00:00Z"));
        await(book().reserve(List.of(month), lastOfMonth));
        await(book().settle(List.of(month), USD, lastOfMonth));
        long nextMonth = lastOfMonth + 3_600_000;
        assertThat(await(book().reserve(List.of(hold("tenant", id, 1, Budget.Period.MONTH, tokyo, false, USD, nextMonth)),
                nextMonth)).granted()).isTrue();
    }

    @Test
    void aTotalBudgetNeverResets() {
        Hold h = hold("key", id, 1, Budget.Period.TOTAL, ZoneOffset.UTC, false, USD, T0);
        await(book().reserve(List.of(h), T0));
        await(book().settle(List.of(h), USD, T0));
        long yearsLater = T0 + 3L * 365 * 86_400_000L;
        assertThat(await(book().reserve(List.of(hold("key", id, 1, Budget.Period.TOTAL, ZoneOffset.UTC, false, 0,
                yearsLater)), yearsLater)).refused()).isEqualTo(0);
    }
}
