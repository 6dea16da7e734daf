package dev.rosetta.upstream.auth;

import java.time.Instant;

/** An access token and when it expires. */
public record Token(String value, Instant expiresAt) {

    @Override
    public String toString() {
        return "Token[expiresAt=" + expiresAt + "]"; // never the value
    }
}
