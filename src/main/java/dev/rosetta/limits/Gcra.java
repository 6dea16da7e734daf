package dev.rosetta.limits;

/**
 * The generic cell rate algorithm on one number, the theoretical arrival time (TAT): the moment the
 * bucket would be full again. Taking {@code n} units pushes it {@code n × period/limit} later; a
 * charge fits while the TAT stays within one period of now. Mirrored line for line by the Redis
 * script ({@code limits/redis/reserve.lua}).
 */
final class Gcra {

    /** A hair of slack so that float rounding never costs a unit. */
    private static final double EPSILON = 1e-6;

    private Gcra() {
    }

    /**
     * @param retryMillis 0 when the charge fits, else the wait until it would (-1: never, it is
     *     larger than the bucket)
     */
    record Result(double tat, long retryMillis, long remaining, long resetMillis) {
    }

    static Result take(double tat, long cost, Bucket b, long now) {
        double interval = b.interval();
        double base = Math.max(tat, now);
        double next = base + cost * interval;
        if (cost > b.limit()) {
            return new Result(tat, -1, remaining(base, now, b), reset(base, now));
        }
        double over = next - now - b.periodMillis();
        if (over > EPSILON) {
            return new Result(tat, Math.max(1, (long) Math.ceil(over)), remaining(base, now, b), reset(base, now));
        }
        return new Result(next, 0, remaining(next, now, b), reset(next, now));
    }

    /** The TAT after correcting a charge by {@code delta} units: later for a debt, earlier for a refund. */
    static double adjust(double tat, long delta, Bucket b, long now) {
        double base = delta > 0 ? Math.max(tat, now) : tat;
        return base + delta * b.interval();
    }

    private static long remaining(double tat, long now, Bucket b) {
        double used = Math.max(0, tat - now) / b.interval();
        return Math.max(0, (long) Math.floor(b.limit() - used + EPSILON));
    }

    private static long reset(double tat, long now) {
        return Math.max(0, (long) Math.ceil(tat - now - EPSILON));
    }
}
