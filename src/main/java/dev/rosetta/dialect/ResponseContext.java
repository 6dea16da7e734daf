package dev.rosetta.dialect;

import java.util.Objects;

/**
 * What decoding an upstream response needs that some bodies lack; passed in so codecs stay pure.
 *
 * @param created the time to report when the body has none (Anthropic, Gemini), seconds since the epoch
 * @param fallbackId the response id to report when the body has none (older Gemini)
 * @param turnIndex the index the answer will have among the conversation's turns, from which ids
 *                  are synthesized for Gemini calls without one, the same way request decoding does
 */
public record ResponseContext(long created, String fallbackId, int turnIndex) {
    public ResponseContext {
        Objects.requireNonNull(fallbackId, "fallbackId");
    }
}
