package dev.rosetta.ledger;

import dev.rosetta.model.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a request cost, in billionths of a US dollar: an integer, so that sums over the ledger are
 * exact in SQL and in Java alike.
 *
 * @param known false when the model has no price: the cost is then 0, never guessed
 */
public record Cost(long nanos, boolean known) {

    public static final Cost UNKNOWN = new Cost(0, false);
    public static final Cost FREE = new Cost(0, true);

    private static final BigDecimal NANOS_PER_MILLION_TOKENS_PRICE = BigDecimal.valueOf(1000);

    /**
     * The cost of normalised usage ({@link Usage}: disjoint prompt parts; output includes reasoning,
     * so reasoning is billed as output once and never on top). Cache writes kept an hour
     * ({@link Usage#cacheWrite1h}) are billed at the 1-hour rate, the rest at the 5-minute rate. A prompt above a long-context
     * threshold bills the whole request at that tier, as Gemini and Anthropic do.
     */
    public static Cost of(Price price, Usage u) {
        long inputTotal = Math.max(0, u.inputUncached()) + Math.max(0, u.cacheRead()) + Math.max(0, u.cacheWrite());
        Price.Rates r = price.rates();
        if (price.longContext().isPresent() && inputTotal > price.longContext().get().aboveInputTokens()) {
            r = price.longContext().get().rates();
        }
        long[] pico = r.picoPerToken();
        long write5m = u.cacheWrite5m();
        if (pico != null && write5m >= 0) {
            // The same sum in whole pico-USD, exact, then rounded to nano-USD as below: without BigDecimal,
            // which the ledger, the budget's estimate and its settlement each pay per request.
            try {
                long total = Math.multiplyExact(pico[0], Math.max(0, u.inputUncached()));
                total = Math.addExact(total, Math.multiplyExact(pico[1], Math.max(0, u.cacheRead())));
                total = Math.addExact(total, Math.multiplyExact(pico[2], write5m));
                total = Math.addExact(total, Math.multiplyExact(pico[3], Math.max(0, Math.min(u.cacheWrite1h(), u.cacheWrite()))));
                total = Math.addExact(total, Math.multiplyExact(pico[4], Math.max(0, u.output())));
                return new Cost(Math.addExact(total, 500) / 1000, true);
            } catch (ArithmeticException e) {
                // beyond a long's range: the exact arithmetic below
            }
        }
        return new Cost(exactNanos(r, u), true);
    }

    /** The cost of {@code u} at {@code r} in BigDecimal arithmetic: what the fast path must equal. */
    static long exactNanos(Price.Rates r, Usage u) {
        BigDecimal perMillion = r.input().multiply(BigDecimal.valueOf(Math.max(0, u.inputUncached())))
                .add(r.cacheRead().multiply(BigDecimal.valueOf(Math.max(0, u.cacheRead()))))
                .add(r.cacheWrite5m().multiply(BigDecimal.valueOf(u.cacheWrite5m())))
                .add(r.cacheWrite1h().multiply(BigDecimal.valueOf(Math.max(0, Math.min(u.cacheWrite1h(), u.cacheWrite())))))
                .add(r.output().multiply(BigDecimal.valueOf(Math.max(0, u.output()))));
        // USD per million tokens x tokens = micro-USD; x 1000 = nano-USD.
        return perMillion.multiply(NANOS_PER_MILLION_TOKENS_PRICE).setScale(0, RoundingMode.HALF_UP).longValueExact();
    }

    /** The cost in US dollars, exactly. */
    public BigDecimal usd() {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }
}
