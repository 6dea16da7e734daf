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
        Price.Rates r = price.longContext().filter(lc -> inputTotal > lc.aboveInputTokens())
                .map(Price.LongContext::rates).orElse(price.rates());
        BigDecimal perMillion = r.input().multiply(BigDecimal.valueOf(Math.max(0, u.inputUncached())))
                .add(r.cacheRead().multiply(BigDecimal.valueOf(Math.max(0, u.cacheRead()))))
                .add(r.cacheWrite5m().multiply(BigDecimal.valueOf(u.cacheWrite5m())))
                .add(r.cacheWrite1h().multiply(BigDecimal.valueOf(Math.max(0, Math.min(u.cacheWrite1h(), u.cacheWrite())))))
                .add(r.output().multiply(BigDecimal.valueOf(Math.max(0, u.output()))));
        // USD per million tokens x tokens = micro-USD; x 1000 = nano-USD.
        return new Cost(perMillion.multiply(NANOS_PER_MILLION_TOKENS_PRICE).setScale(0, RoundingMode.HALF_UP)
                .longValueExact(), true);
    }

    /** The cost in US dollars, exactly. */
    public BigDecimal usd() {
        return BigDecimal.valueOf(nanos, 9).stripTrailingZeros();
    }
}
