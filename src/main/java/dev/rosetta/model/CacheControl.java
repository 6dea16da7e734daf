package dev.rosetta.model;

import java.util.Objects;
import java.util.Optional;

/** A prompt-cache breakpoint (Anthropic {@code cache_control}); other dialects cache implicitly. */
public record CacheControl(String type, Optional<String> ttl) {
    public CacheControl {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ttl, "ttl");
    }

    public static CacheControl ephemeral() {
        return new CacheControl("ephemeral", Optional.empty());
    }
}
