package dev.rosetta.budget;

/**
 * One budget counter: what has been spent in the period and what admitted requests still hold.
 *
 * @param spent nano-USD settled
 * @param reserved nano-USD held by requests in flight (their estimated maximum)
 */
public record Spend(long spent, long reserved) {

    public static final Spend ZERO = new Spend(0, 0);

    public long remaining(long limit) {
        return Math.max(0, limit - spent - reserved);
    }
}
