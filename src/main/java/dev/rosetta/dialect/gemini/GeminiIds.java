package dev.rosetta.dialect.gemini;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Ids for Gemini function calls that have none. An id is a hash of where the call sits (turn index,
 * call index within the turn) and its name, so the same conversation yields the same ids on every
 * request, and a later request can recognize an id as synthesized and leave it out towards Gemini.
 */
final class GeminiIds {
    static final String PREFIX = "call_rg";
    private static final int HEX_LENGTH = 20;

    private GeminiIds() {
    }

    static String synthesize(int turnIndex, int callIndex, String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((turnIndex + ":" + callIndex + ":" + name).getBytes(StandardCharsets.UTF_8));
            return PREFIX + HexFormat.of().formatHex(digest).substring(0, HEX_LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always available", e);
        }
    }

    static boolean isSynthesized(String id) {
        return id.startsWith(PREFIX) && id.length() == PREFIX.length() + HEX_LENGTH
                && id.substring(PREFIX.length()).chars().allMatch(c -> Character.digit(c, 16) >= 0);
    }
}
