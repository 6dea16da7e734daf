package dev.rosetta.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rosetta.limits.Bucket.Unit;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Limiter} promises, with time moved by the test (never slept). Each test uses
 * bucket keys of its own, so implementations sharing a server do not see each other's counters.
 */
abstract class LimiterContract {

    private static final long MINUTE = 60_000;
    private static final long DAY = 86_400_000;

    private long now = 1_800_000_000_000L;
    private String id;

    protected abstract Limiter limiter();

    @BeforeEach
    void freshKeys() {
        id = UUID.randomUUID().toString();
    }

    private Bucket bucket(String name, Unit unit, long limit, long period) {
        return new Bucket(id + ":" + name, unit, limit, period);
    }

    private Decision reserve(Charge... charges) {
        return get(limiter().reserve(List.of(charges), UUID.randomUUID().toString(), now));
    }

    private void settle(Decision granted, long actualTokens) {
        get(limiter().settle(((Decision.Granted) granted).reservation(), actualTokens, now));
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Decision.Granted granted(Decision d) {
        assertThat(d).isInstanceOf(Decision.Granted.class);
        return (Decision.Granted) d;
    }

    private static Decision.Refused refused(Decision d) {
        assertThat(d).isInstanceOf(Decision.Refused.class);
        return (Decision.Refused) d;
    }

    @Test
    void rpmGrantsTheLimitThenRefusesUntilOneRequestHasRefilled() {
        Bucket rpm = bucket("rpm", Unit.REQUESTS, 3, MINUTE);
        assertThat(granted(reserve(new Charge(rpm, 1))).quotas().get(0).remaining()).isEqualTo(2);
        assertThat(granted(reserve(new Charge(rpm, 1))).quotas().get(0).remaining()).isEqualTo(1);
        Decision.Granted third = granted(reserve(new Charge(rpm, 1)));
        assertThat(third.quotas().get(0).remaining()).isZero();
        assertThat(third.quotas().get(0).resetMillis()).isEqualTo(MINUTE);

        Decision.Refused fourth = refused(reserve(new Charge(rpm, 1)));
        assertThat(fourth.neverFits()).isFalse();
        assertThat(fourth.retryAfterMillis()).isEqualTo(20_000);
        assertThat(fourth.quotas().get(0).remaining()).isZero();

        now += 19_999;
        refused(reserve(new Charge(rpm, 1)));
        now += 1;
        granted(reserve(new Charge(rpm, 1)));
    }

    @Test
    void noDoubleBurstAtAWindowEdge() {
        Bucket rpm = bucket("rpm", Unit.REQUESTS, 10, MINUTE);
        now += 59_000;
        for (int i = 0; i < 10; i++) {
            granted(reserve(new Charge(rpm, 1)));
        }
        now += 1_000; // a fixed window would start afresh here and let ten more through
        int more = 0;
        while (reserve(new Charge(rpm, 1)) instanceof Decision.Granted) {
            more++;
        }
        assertThat(more).isZero();
        now += 30_000; // half a minute refills half the bucket, smoothly
        while (reserve(new Charge(rpm, 1)) instanceof Decision.Granted) {
            more++;
        }
        assertThat(more).isEqualTo(5);
    }

    @Test
    void refillsOverTimeUpToTheLimitAndNoFurther() {
        Bucket rpm = bucket("rpm", Unit.REQUESTS, 4, MINUTE);
        for (int i = 0; i < 4; i++) {
            granted(reserve(new Charge(rpm, 1)));
        }
        now += 10 * MINUTE;
        Decision.Granted g = granted(reserve(new Charge(rpm, 1)));
        assertThat(g.quotas().get(0).remaining()).isEqualTo(3);
        assertThat(g.quotas().get(0).resetMillis()).isEqualTo(15_000);
    }

    @Test
    void tpmSettlesDownAReservationThatWasTooHigh() {
        Bucket tpm = bucket("tpm", Unit.TOKENS, 1000, MINUTE);
        Decision first = reserve(new Charge(tpm, 600));
        assertThat(granted(first).quotas().get(0).remaining()).isEqualTo(400);
        refused(reserve(new Charge(tpm, 800)));

        settle(first, 100);

        Decision.Granted second = granted(reserve(new Charge(tpm, 800)));
        assertThat(second.quotas().get(0).remaining()).isEqualTo(100);
    }

    @Test
    void tpmSettlesUpAReservationThatWasTooLowIntoDebt() {
        Bucket tpm = bucket("tpm", Unit.TOKENS, 1000, MINUTE);
        Decision first = reserve(new Charge(tpm, 500));
        granted(reserve(new Charge(tpm, 100)));

        settle(first, 1300); // 1400 used of 1000: 400 in debt

        Decision.Refused r = refused(reserve(new Charge(tpm, 100)));
        assertThat(r.quotas().get(0).remaining()).isZero();
        assertThat(r.retryAfterMillis()).isEqualTo(30_000); // the debt and the 100 asked, at 60 ms a token
        now += 30_000;
        granted(reserve(new Charge(tpm, 100)));
    }

    @Test
    void tpdCountsTokensOverADay() {
        Bucket tpd = bucket("tpd", Unit.TOKENS, 10_000, DAY);
        granted(reserve(new Charge(tpd, 9_000)));
        Decision.Refused r = refused(reserve(new Charge(tpd, 2_000)));
        assertThat(r.retryAfterMillis()).isEqualTo(8_640_000); // 1000 tokens at 8.64 s each
        now += MINUTE;
        refused(reserve(new Charge(tpd, 2_000)));
        now += 8_640_000 - MINUTE;
        granted(reserve(new Charge(tpd, 2_000)));
    }

    @Test
    void concurrencyHoldsASlotUntilSettled() {
        Bucket conc = bucket("concurrent", Unit.CONCURRENT, 2, 0);
        Decision a = reserve(new Charge(conc, 1));
        assertThat(granted(a).quotas().get(0).remaining()).isEqualTo(1);
        Decision b = reserve(new Charge(conc, 1));
        assertThat(granted(b).quotas().get(0).remaining()).isZero();
        Decision.Refused third = refused(reserve(new Charge(conc, 1)));
        assertThat(third.neverFits()).isFalse();
        assertThat(third.retryAfterMillis()).isPositive();

        now += 10 * MINUTE; // time alone frees nothing (within the lease that outlives a dead replica)
        refused(reserve(new Charge(conc, 1)));

        settle(a, 0);
        Decision c = granted(reserve(new Charge(conc, 1)));
        settle(b, 0);
        settle(c, 0);
        assertThat(granted(reserve(new Charge(conc, 1))).quotas().get(0).remaining()).isEqualTo(1);
    }

    @Test
    void aCancelledReservationGivesEveryChargeBackRequestsIncluded() {
        Bucket rpm = bucket("rpm", Unit.REQUESTS, 2, MINUTE);
        Bucket conc = bucket("concurrent", Unit.CONCURRENT, 1, 0);
        Bucket tpm = bucket("tpm", Unit.TOKENS, 100, MINUTE);
        granted(reserve(new Charge(rpm, 1), new Charge(conc, 1), new Charge(tpm, 60)));
        Decision.Refused full = refused(reserve(new Charge(rpm, 1), new Charge(conc, 1), new Charge(tpm, 60)));
        assertThat(full.refused().bucket()).isEqualTo(conc);

        Decision.Granted second = granted(reserve(new Charge(rpm, 1), new Charge(tpm, 40)));
        assertThat(second.quotas()).extracting(Quota::remaining).containsExactly(0L, 0L);
        get(limiter().cancel(second.reservation(), now)); // e.g. its budget refused it

        Decision.Granted again = granted(reserve(new Charge(rpm, 1), new Charge(tpm, 40)));
        assertThat(again.quotas()).extracting(Quota::remaining).containsExactly(0L, 0L);
    }

    @Test
    void aRequestLargerThanTheWholeBucketIsRefusedAtOnceAsNeverFitting() {
        Bucket tpm = bucket("tpm", Unit.TOKENS, 1000, MINUTE);
        Decision.Refused r = refused(reserve(new Charge(tpm, 1001)));
        assertThat(r.neverFits()).isTrue();
        assertThat(r.quotas().get(0).remaining()).isEqualTo(1000);
        granted(reserve(new Charge(tpm, 1000)));
    }

    @Test
    void aRefusalByOneBucketChargesNoneOfTheOthers() {
        Bucket rpm = bucket("rpm", Unit.REQUESTS, 5, MINUTE);
        Bucket conc = bucket("concurrent", Unit.CONCURRENT, 5, 0);
        Bucket tpm = bucket("tpm", Unit.TOKENS, 100, MINUTE);
        granted(reserve(new Charge(rpm, 1), new Charge(conc, 1), new Charge(tpm, 90)));

        Decision.Refused r = refused(reserve(new Charge(rpm, 1), new Charge(conc, 1), new Charge(tpm, 50)));

        assertThat(r.refused().bucket()).isEqualTo(tpm);
        assertThat(r.quotas()).extracting(Quota::remaining).containsExactly(4L, 4L, 10L);
        Decision.Granted g = granted(reserve(new Charge(rpm, 1), new Charge(conc, 1), new Charge(tpm, 10)));
        assertThat(g.quotas()).extracting(Quota::remaining).containsExactly(3L, 3L, 0L);
    }

    @Test
    void bucketsWithDifferentKeysAreIndependent() {
        Bucket a = bucket("a", Unit.REQUESTS, 1, MINUTE);
        Bucket b = bucket("b", Unit.REQUESTS, 1, MINUTE);
        granted(reserve(new Charge(a, 1)));
        refused(reserve(new Charge(a, 1)));
        granted(reserve(new Charge(b, 1)));
    }
}
