package dev.rosetta.cache;

import dev.rosetta.model.ChatResponse;
import java.util.Objects;

/**
 * A stored answer: the neutral response (content, tool calls, stop reason, usage, provider-bound
 * state such as signatures), when it was stored and until when it serves.
 *
 * @param storedAt epoch milliseconds
 * @param expiresAt epoch milliseconds
 */
public record CachedAnswer(ChatResponse response, long storedAt, long expiresAt) {
    public CachedAnswer {
        Objects.requireNonNull(response, "response");
    }

    /** Whole seconds since it was stored, for the {@code age} header. */
    public long ageSeconds(long now) {
        return Math.max(0, (now - storedAt) / 1000);
    }
}
