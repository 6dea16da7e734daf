package dev.rosetta.usage;

/**
 * Token counts of one call, normalised: {@code inputUncached + cacheRead + cacheWrite} is the whole
 * prompt; {@code output} includes {@code reasoning}.
 */
public record TokenUsage(long inputUncached, long cacheRead, long cacheWrite, long output, long reasoning) {

    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0, 0);

    /** All prompt tokens, cached or not. */
    public long inputTotal() {
        return inputUncached + cacheRead + cacheWrite;
    }
}
